using EdgeAgent.Onnx.GradCam;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeAgent.Onnx.Tests.GradCam;

/// <summary>Outcome of comparing a generated gradient with central finite differences.</summary>
internal sealed record GradientCheckResult(double MaxAbsError, double Scale, string FdPrecision, double Tolerance, int Entries)
{
    public double RelativeError => MaxAbsError / Scale;

    public bool Passed => RelativeError <= Tolerance;

    public override string ToString() =>
        $"max|J-J_fd|/max(1,max|J_fd|) = {RelativeError:E2} (FD in {FdPrecision}, tol {Tolerance:E0}, {Entries} entries)";
}

/// <summary>
/// Compares the appended gradient (float32, through ONNX Runtime) with the full Jacobian from central finite
/// differences, preferably on a float64 twin of the model. Tolerances:
/// <list type="bullet">
/// <item>float64 FD with h = 1e-6: truncation h^2 |f'''| / 6 ~ 1e-12 and rounding 1e-16 / h ~ 1e-10, so the FD
/// Jacobian is exact for our purpose; what remains is float32 rounding in the generated graph: each entry is a
/// sum of products over at most a few hundred terms, error ~ n * 6e-8 * sum|terms| &lt; 1e-5 of the scale.
/// Tolerance 1e-4 of max(1, max|J|) keeps a 10x margin and is still far below any wrong-formula error (&gt; 1e-2).</item>
/// <item>float32 FD (ops ORT runs only in float) with h = 1e-2: rounding 6e-8 * |f| / h ~ 6e-5 for |f| ~ 10 and
/// truncation h^2 |f'''| / 6 ~ 2e-5 |f'''|; tolerance 3e-3 of the scale, again 10x margin.</item>
/// </list>
/// Inputs are drawn away from kinks (ReLU, max-pool ties) by the cases themselves.
/// </summary>
internal static class GradientCheck
{
    public const double DoubleTolerance = 1e-4;
    public const double FloatTolerance = 3e-3;

    public static GradientCheckResult Run(Func<TestGraph, ModelProto> recipe, long[] xShape, double lo = -1, double hi = 1, int seed = 11)
    {
        var rng = new Random(seed);
        var count = (int)xShape.Aggregate(1L, (a, b) => a * b);
        var x = Enumerable.Range(0, count).Select(_ => (double)(float)(lo + (hi - lo) * rng.NextDouble())).ToArray();

        var model = recipe(new TestGraph(useDouble: false));
        var jacobian = Analytic(model, x, xShape);
        double[] fd;
        string precision;
        double tolerance;
        try
        {
            fd = FiniteDifferences(recipe(new TestGraph(useDouble: true)), x, xShape, asDouble: true, h: 1e-6);
            precision = "float64";
            tolerance = DoubleTolerance;
        }
        catch (OnnxRuntimeException)
        {
            fd = FiniteDifferences(model, x, xShape, asDouble: false, h: 1e-2);
            precision = "float32";
            tolerance = FloatTolerance;
        }
        Assert.Equal(fd.Length, jacobian.Length);
        var scale = Math.Max(1.0, fd.Max(Math.Abs));
        var maxErr = fd.Zip(jacobian, (a, b) => Math.Abs(a - b)).Max();
        return new GradientCheckResult(maxErr, scale, precision, tolerance, fd.Length);
    }

    /// <summary>Jacobian [M, P] from the generated gradient graph (target = input X, score = [1, M]).</summary>
    public static double[] Analytic(
        ModelProto model, double[] x, long[] xShape, BackwardWeightStorage weights = BackwardWeightStorage.Float32, long int8MinElements = 1L << 22)
    {
        var copy = model.Clone();
        var index = new GraphIndex(copy.Graph);
        var appended = ReverseModeDifferentiator.Append(copy, index, "X", "score", null, weights, int8MinElements);
        appended.Emitter.OpTo("grad", "Identity", [appended.Gradient!]);
        copy.Graph.Output.Add(new ValueInfoProto { Name = "grad" });
        using var runner = new OrtRunner(BatchwiseRecurrentRewriter.Apply(copy));
        return runner.RunOne("X", x, xShape, asDouble: false, "grad").Data;
    }

    public static double[] FiniteDifferences(ModelProto model, double[] x, long[] xShape, bool asDouble, double h)
    {
        using var runner = new OrtRunner(BatchwiseRecurrentRewriter.Apply(model));
        var m = runner.RunOne("X", x, xShape, asDouble, "score").Data.Length;
        var p = x.Length;
        var jacobian = new double[m * p];
        var probe = (double[])x.Clone();
        for (int j = 0; j < p; j++)
        {
            var step = h * Math.Max(1.0, Math.Abs(x[j]));
            probe[j] = x[j] + step;
            var plus = runner.RunOne("X", probe, xShape, asDouble, "score").Data;
            probe[j] = x[j] - step;
            var minus = runner.RunOne("X", probe, xShape, asDouble, "score").Data;
            probe[j] = x[j];
            var actualStep = asDouble ? 2 * step : (float)(x[j] + step) - (double)(float)(x[j] - step);
            for (int i = 0; i < m; i++) jacobian[i * p + j] = (plus[i] - minus[i]) / actualStep;
        }
        return jacobian;
    }
}
