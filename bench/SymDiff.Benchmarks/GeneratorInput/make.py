# Writes Methods200.cs.in: 200 [Differentiable] methods (a helper, then scalar, branch, loop and recurrence shapes
# 40 each, and 39 calls), the input of `dotnet run -c Release --project bench/SymDiff.Benchmarks -- --generator`.
# Usage: python3 make.py > Methods200.cs.in
def scalar(k):
    return f"""    [Differentiable]
    public static double Scalar{k}(double x, double y, [NoGrad] double c)
    {{
        double a = Math.Sin(x * {k % 7 + 1}.5) * y + c;
        double b = Math.Exp(-a * a) + Math.Log(1 + y * y);
        double d = Math.Sqrt(x * x + b * b + {k}.25);
        return a * b / d + Math.Atan2(y, d) - Math.Tanh(x - c * {k % 3}.0);
    }}
"""
def branch(k):
    return f"""    [Differentiable]
    public static double Branch{k}(double x, double y)
    {{
        double s = x * y;
        if (s > {k % 5}.0)
        {{
            s = Math.Pow(s, 1.5) + x;
        }}
        else if (x < -{k % 4}.0)
        {{
            s = -s * Math.Cos(y);
        }}
        double t = y > x ? Math.Max(s, y) : Math.Min(s, x);
        return t * t + Math.Abs(x - y);
    }}
"""
def loop(k):
    return f"""    [Differentiable]
    public static double Loop{k}(double[] w, [NoGrad] double[] x, [NoGrad] double target)
    {{
        double z = 0;
        for (int i = 0; i < w.Length; i++)
        {{
            z += w[i] * x[i];
        }}
        double p = 1.0 / (1.0 + Math.Exp(-z));
        double r = p - target;
        double penalty = 0;
        for (int i = 0; i < w.Length; i++)
        {{
            penalty += {k % 9 + 1}e-3 * w[i] * w[i];
        }}
        return r * r + penalty;
    }}
"""
def recurrence(k):
    return f"""    [Differentiable]
    public static double Recurrence{k}(double x, double a, [NoGrad] int n)
    {{
        double p0 = 1.0;
        double p1 = x;
        double s = p0 + a * p1;
        for (int j = 2; j <= n; j++)
        {{
            double p2 = (2.0 * j - 1.0) / j * x * p1 - (j - 1.0) / j * p0;
            p0 = p1;
            p1 = p2;
            s += Math.Pow(a, {k % 3 + 1}) * p2;
        }}
        return s;
    }}
"""
def call(k):
    return f"""    [Differentiable]
    public static double Call{k}(double x, double y)
    {{
        double u = Scalar{k}(x, y, 0.5) + Branch{k}(y, x);
        double v = 0;
        for (int i = 0; i < 3; i++)
        {{
            v += Helper(u * i, x);
        }}
        return u * v;
    }}
"""
out = ["// 200 [Differentiable] methods: a helper, then scalar, branch, loop and recurrence shapes (40 each) and 39 calls.",
       "// The input of `dotnet run -c Release --project bench/SymDiff.Benchmarks -- --generator` (issue 10 item 7).",
       "// Made by make.py in this folder: python3 make.py > Methods200.cs.in",
       "using System;", "using SymDiff;", "", "public static partial class Mixed", "{",
       "    [Differentiable]\n    public static double Helper(double a, double b) => a * Math.Sin(b) + b * b;\n"]
for k in range(40):
    for f in (scalar, branch, loop, recurrence, call):
        if f is call and k == 39:
            continue
        out.append(f(k))
out.append("}")
print("\n".join(out))
