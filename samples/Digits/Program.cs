using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Digits;
using Samples;
using SymDiff;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
SampleOptions? options = SampleOptions.Parse(args, "Digits", allowNoReset: false);
if (options is null)
{
    return 2;
}

const int Inputs = DigitSet.Pixels;  // 8x8 images
const int Hidden = 32;               // tanh units
const int Epochs = 20;
const int BatchSize = 32;
const double LearningRate = 0.01;
const int Seed = 20261202;

// Data: the UCI optical digits, shipped in data/ (see data/README.md for the source and licence).
DigitSet all = DigitSet.Load(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));
(DigitSet train, DigitSet test) = all.StratifiedSplit(0.8, new Random(Seed));
Console.WriteLine($"UCI optical digits: {all.Count} images of 8x8 pixels, {train.Count} for training and {test.Count} for testing (stratified 80/20)");

// The model: 64 -> 32 (tanh) -> 10, all parameters in one flat vector, initialised as PyTorch's nn.Linear does:
// uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)].
int n = Model.ParameterCount(Inputs, Hidden);
double[] parameters = new double[n];
double[] gradients = new double[n];
var random = new Random(Seed);
int layer2 = (Hidden * Inputs) + Hidden;   // W2 and b2 start here
for (int i = 0; i < n; i++)
{
    double bound = 1 / Math.Sqrt(i < layer2 ? Inputs : Hidden);
    parameters[i] = bound * ((2 * random.NextDouble()) - 1);
}

var optimizer = new Adam(parameters, gradients, learningRate: LearningRate);
Console.WriteLine($"MLP {Inputs} -> {Hidden} (tanh) -> {Model.Classes}, {n} parameters; Adam, lr = {LearningRate}, mini-batches of {BatchSize}, {Epochs} epochs");
Console.WriteLine();

// A mini-batch is copied into these buffers: the images one after the other, and one-hot targets.
double[] batchImages = new double[BatchSize * Inputs];
double[] batchTargets = new double[BatchSize * Model.Classes];
int[] order = new int[train.Count];
for (int i = 0; i < order.Length; i++)
{
    order[i] = i;
}

int batches = (train.Count + BatchSize - 1) / BatchSize;
var losses = new List<double>(Epochs * batches);
var clock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    random.Shuffle(order);
    double epochLoss = 0;
    for (int b = 0; b < batches; b++)
    {
        int start = b * BatchSize;
        int size = Math.Min(BatchSize, order.Length - start);
        train.CopyBatch(order.AsSpan(start, size), batchImages, batchTargets);

        // forward and loss.backward() in one call; the gradient buffer is overwritten, so no zero_grad() is needed.
        double loss = Model.LossGradient(parameters, batchImages.AsSpan(0, size * Inputs), batchTargets.AsSpan(0, size * Model.Classes), Inputs, Hidden, gradients);
        optimizer.Step();   // optimizer.step()

        losses.Add(loss);
        epochLoss += loss * size;
        ProgressBar.Draw(epoch, Epochs, b + 1, batches);
    }

    double trainAccuracy = Accuracy(parameters, train);
    double testAccuracy = Accuracy(parameters, test);
    ProgressBar.Clear();
    Console.WriteLine($"epoch {epoch,2}/{Epochs}  loss {epochLoss / train.Count,8:F4}  train {trainAccuracy,7:P2}  test {testAccuracy,7:P2}  ({clock.Elapsed.TotalSeconds,4:F1} s)");
}

double trainingSeconds = clock.Elapsed.TotalSeconds;   // training and the per-epoch accuracies
Console.WriteLine();
LossCurve.Print(losses, "mini-batch");
Console.WriteLine();

// A few test digits, drawn with their predicted labels: seven spread over the test set, and the first mistake.
var shown = new List<int>();
for (int i = 0; i < 7; i++)
{
    shown.Add(i * test.Count / 7);
}

int wrong = 0;
for (int s = 0; s < test.Count; s++)
{
    if (Model.Predict(parameters, test.Images, Inputs, Hidden, s) != test.Labels[s])
    {
        if (wrong++ == 0)
        {
            shown.Add(s);
        }
    }
}

Console.WriteLine("Some test digits and what the network reads" + (wrong > 0 ? " (the last one is its first mistake):" : ":"));
Console.WriteLine(test.Draw(shown, s => Model.Predict(parameters, test.Images, Inputs, Hidden, s)));

double final = Accuracy(parameters, test);
Console.WriteLine($"test accuracy {final:P2} ({test.Count - wrong} of {test.Count} right) after {trainingSeconds:F1} s of training");

if (options.CsvPath is not null)
{
    LossCurve.WriteCsv(options.CsvPath, losses, "mini_batch");
    Console.WriteLine($"wrote {options.CsvPath}");
}

if (options.SvgPath is not null)
{
    LossCurve.WriteSvg(options.SvgPath, losses, $"Handwritten digits, MLP {Inputs}-{Hidden}-{Model.Classes}, Adam", "mini-batch");
    Console.WriteLine($"wrote {options.SvgPath}");
}

return 0;

// The fraction of the images of `set` whose largest logit is the right class.
static double Accuracy(double[] parameters, DigitSet set)
{
    int right = 0;
    for (int s = 0; s < set.Count; s++)
    {
        right += Model.Predict(parameters, set.Images, Inputs, Hidden, s) == set.Labels[s] ? 1 : 0;
    }

    return (double)right / set.Count;
}
