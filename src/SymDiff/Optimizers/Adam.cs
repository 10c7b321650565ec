using System;

namespace SymDiff
{
    /// <summary>
    /// The Adam optimizer over one flat parameter buffer, with optional L2 weight decay (not AdamW).
    /// Same defaults and argument checks as PyTorch's <c>torch.optim.Adam</c>, and the same floating-point
    /// operations, in the same order, as its single-tensor implementation in PyTorch 2.x
    /// (<c>foreach=False, capturable=False, amsgrad=False, maximize=False</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The optimizer keeps references to the two arrays it is given: fill <c>gradients</c>, call
    /// <see cref="Step"/>, which updates <c>parameters</c> in place, then <see cref="ZeroGrad"/>.
    /// With <c>t</c> the step count after increment, <c>g</c> the gradient, <c>p</c> the parameter and
    /// <c>m</c>, <c>v</c> the first and second moment estimates (both start at 0), one step computes:
    /// </para>
    /// <code>
    /// t = t + 1;
    /// if (weightDecay != 0) g = g + weightDecay * p;                    // grad.add(param, alpha=weight_decay)
    /// m = w &lt; 0.5 ? m + w * (g - m) : g - (g - m) * (1 - w);         // exp_avg.lerp_(grad, w), w = 1 - beta1
    /// v = v * beta2 + (1 - beta2) * g * g;                              // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    /// stepSize = learningRate / (1 - Math.Pow(beta1, t));
    /// denom = Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(beta2, t)) + epsilon;
    /// p = p + (-stepSize) * m / denom;                                  // param.addcdiv_(exp_avg, denom, value=-step_size)
    /// </code>
    /// <para>
    /// Each line rounds as PyTorch's CPU kernels do: the final multiply-add of <c>add</c>, <c>lerp_</c> and
    /// <c>addcmul_</c> is fused (on .NET Core 3.0 and later; the netstandard2.0 build rounds the product
    /// separately), products and quotients are evaluated left to right, and <c>addcdiv_</c> divides before it adds.
    /// The weights therefore agree with PyTorch's <c>float64</c> ones to the last bit on x86-64 Linux (checked over
    /// 1000 steps against PyTorch's own kernels), and to rounding elsewhere.
    /// All state is allocated by the constructor: <see cref="Step"/> and <see cref="ZeroGrad"/> never allocate.
    /// </para>
    /// <para>
    /// A <c>float</c> model passes <c>float[]</c> buffers: the moment estimates are then <c>float</c> too (as PyTorch keeps
    /// them in the parameter's dtype), each step is computed as above in <c>double</c> from the <c>float</c> values, and
    /// each stored value (parameter, moments) is rounded to <c>float</c> once. PyTorch's <c>float32</c> kernels round every
    /// operation to <c>float</c>, so the weights agree with theirs to <c>float</c> rounding, not to the last bit.
    /// </para>
    /// </remarks>
    public sealed class Adam
    {
        private readonly double[]? _parameters;
        private readonly double[]? _gradients;
        private readonly double[]? _expAvg;
        private readonly double[]? _expAvgSq;
        private readonly float[]? _floatParameters;
        private readonly float[]? _floatGradients;
        private readonly float[]? _floatExpAvg;
        private readonly float[]? _floatExpAvgSq;

        /// <summary>Creates an optimizer that updates <paramref name="parameters"/> from <paramref name="gradients"/>.</summary>
        /// <param name="parameters">The parameters, updated in place by <see cref="Step"/>. The optimizer keeps this array.</param>
        /// <param name="gradients">The gradient buffer, read by <see cref="Step"/> and cleared by <see cref="ZeroGrad"/>.
        /// The optimizer keeps this array; it must have the length of <paramref name="parameters"/>.</param>
        /// <param name="learningRate">The learning rate (<c>lr</c>); finite and not negative.</param>
        /// <param name="beta1">The decay rate of the first moment estimate; in [0, 1).</param>
        /// <param name="beta2">The decay rate of the second moment estimate; in [0, 1).</param>
        /// <param name="epsilon">The term added to the denominator for numerical stability (<c>eps</c>); finite and not negative.</param>
        /// <param name="weightDecay">The L2 penalty added to the gradient as <c>weightDecay * p</c>; finite and not negative.</param>
        /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or <paramref name="gradients"/> is null.</exception>
        /// <exception cref="ArgumentException">The buffers differ in length, or a setting is out of range;
        /// <see cref="ArgumentException.ParamName"/> names the offending argument.</exception>
        public Adam(
            double[] parameters,
            double[] gradients,
            double learningRate = 1e-3,
            double beta1 = 0.9,
            double beta2 = 0.999,
            double epsilon = 1e-8,
            double weightDecay = 0)
        {
            OptimizerArguments.CheckBuffers(parameters, gradients);
            CheckSettings(learningRate, beta1, beta2, epsilon, weightDecay);
            _parameters = parameters;
            _gradients = gradients;
            _expAvg = new double[parameters.Length];
            _expAvgSq = new double[parameters.Length];
            LearningRate = learningRate;
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
            WeightDecay = weightDecay;
        }

        /// <summary>Creates an optimizer that updates the <c>float</c> <paramref name="parameters"/> of a <c>float</c> model from <paramref name="gradients"/>.</summary>
        /// <inheritdoc cref="Adam(double[], double[], double, double, double, double, double)"/>
        public Adam(
            float[] parameters,
            float[] gradients,
            double learningRate = 1e-3,
            double beta1 = 0.9,
            double beta2 = 0.999,
            double epsilon = 1e-8,
            double weightDecay = 0)
        {
            OptimizerArguments.CheckBuffers(parameters, gradients);
            CheckSettings(learningRate, beta1, beta2, epsilon, weightDecay);
            _floatParameters = parameters;
            _floatGradients = gradients;
            _floatExpAvg = new float[parameters.Length];
            _floatExpAvgSq = new float[parameters.Length];
            LearningRate = learningRate;
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
            WeightDecay = weightDecay;
        }

        private static void CheckSettings(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
        {
            OptimizerArguments.CheckNonNegative(learningRate, nameof(learningRate));
            OptimizerArguments.CheckBeta(beta1, nameof(beta1));
            OptimizerArguments.CheckBeta(beta2, nameof(beta2));
            OptimizerArguments.CheckNonNegative(epsilon, nameof(epsilon));
            OptimizerArguments.CheckNonNegative(weightDecay, nameof(weightDecay));
        }

        /// <summary>
        /// Gets or sets the learning rate, like PyTorch's <c>param_group["lr"]</c>: a schedule sets it between steps and the
        /// optimizer keeps its state (momentum, moments, step count).
        /// </summary>
        /// <exception cref="ArgumentException">The value is negative, NaN or infinite (<see cref="ArgumentException.ParamName"/> is <c>value</c>).</exception>
        public double LearningRate
        {
            get => _learningRate;
            set
            {
                OptimizerArguments.CheckNonNegative(value, nameof(value));
                _learningRate = value;
            }
        }

        private double _learningRate;

        /// <summary>Gets the decay rate of the first moment estimate.</summary>
        public double Beta1 { get; }

        /// <summary>Gets the decay rate of the second moment estimate.</summary>
        public double Beta2 { get; }

        /// <summary>Gets the term added to the denominator for numerical stability.</summary>
        public double Epsilon { get; }

        /// <summary>Gets the L2 weight decay.</summary>
        public double WeightDecay { get; }

        /// <summary>Gets the number of steps taken since construction or the last <see cref="Reset"/>.</summary>
        public long StepCount { get; private set; }

        /// <summary>Updates the parameters in place from the current gradients (PyTorch <c>optimizer.step()</c>).</summary>
        public void Step()
        {
            StepCount++;
            double t = StepCount;
            double negativeStepSize = -(LearningRate / (1 - Math.Pow(Beta1, t)));
            double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, t));
            if (_parameters is not null)
            {
                Update(new DoubleBuffer(_parameters), new DoubleBuffer(_gradients!), new DoubleBuffer(_expAvg!), new DoubleBuffer(_expAvgSq!), _parameters.Length, negativeStepSize, biasCorrection2Sqrt);
            }
            else
            {
                Update(new FloatBuffer(_floatParameters!), new FloatBuffer(_floatGradients!), new FloatBuffer(_floatExpAvg!), new FloatBuffer(_floatExpAvgSq!), _floatParameters!.Length, negativeStepSize, biasCorrection2Sqrt);
            }
        }

        /// <summary>One step over buffers of either element type (compiled once for each).</summary>
        private void Update<TBuffer>(TBuffer p, TBuffer grad, TBuffer m, TBuffer v, int length, double negativeStepSize, double biasCorrection2Sqrt)
            where TBuffer : struct, IFlatBuffer
        {
            double beta2 = Beta2;
            double weightDecay = WeightDecay;
            double epsilon = Epsilon;
            double lerpWeight = 1 - Beta1;
            double squareScale = 1 - beta2;
            for (int i = 0; i < length; i++)
            {
                double g = grad[i];
                if (weightDecay != 0)
                {
                    g = TorchArithmetic.Add(g, p[i], weightDecay);
                }

                // The moments as stored (a float buffer rounds them, as PyTorch's float32 state holds them).
                m[i] = TorchArithmetic.Lerp(m[i], g, lerpWeight);
                double mi = m[i];
                v[i] = TorchArithmetic.AddCMul(v[i] * beta2, g, g, squareScale);
                double vi = v[i];
                double denom = (Math.Sqrt(vi) / biasCorrection2Sqrt) + epsilon;
                p[i] = TorchArithmetic.AddCDiv(p[i], mi, denom, negativeStepSize);
            }
        }

        /// <summary>Sets every gradient to 0 (PyTorch <c>optimizer.zero_grad(set_to_none=False)</c>).</summary>
        public void ZeroGrad()
        {
            if (_gradients is not null)
            {
                Checks.Zero(_gradients, _gradients.Length);
            }
            else
            {
                Checks.Zero(_floatGradients!, _floatGradients!.Length);
            }
        }

        /// <summary>Clears the moment estimates and sets <see cref="StepCount"/> to 0, as a freshly constructed
        /// optimizer. Parameters and gradients are left untouched.</summary>
        public void Reset()
        {
            StepCount = 0;
            if (_expAvg is not null)
            {
                Checks.Zero(_expAvg, _expAvg.Length);
                Checks.Zero(_expAvgSq!, _expAvgSq!.Length);
            }
            else
            {
                Checks.Zero(_floatExpAvg!, _floatExpAvg!.Length);
                Checks.Zero(_floatExpAvgSq!, _floatExpAvgSq!.Length);
            }
        }
    }
}
