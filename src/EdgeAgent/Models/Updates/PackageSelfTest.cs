using EdgeAgent.Pipeline;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// Runs the golden images a package carries through its own freshly loaded session: the label must match, each
/// expected probability must lie within the manifest's tolerance, and a CAM model must return finite maps.
/// Throws <see cref="Messaging.ModelUpdates.UpdateRejectedException"/> with "self-test: ..." on the first failure.
/// </summary>
public static class PackageSelfTest
{
    public static void Run(LoadedModel model, string packageDirectory)
    {
        var goldens = model.Manifest.GoldenImages;
        if (goldens is null || goldens.Count == 0)
        {
            throw new Messaging.ModelUpdates.UpdateRejectedException("self-test: the package carries no golden images");
        }
        var preparer = new ImagingPreparer();
        foreach (var golden in goldens)
        {
            var file = Onnx.Packaging.PackagePaths.Resolve(packageDirectory, golden.File);
            var image = preparer.Prepare(File.ReadAllBytes(file), golden.File, model.Manifest.Input);
            var diagnosis = model.Classifier.Classify(image.Tensor);
            if (diagnosis.Probabilities.Values.Any(p => !double.IsFinite(p)))
            {
                Fail($"{golden.File} gives NaN/infinite probabilities");
            }
            if (diagnosis.Label != golden.ExpectedLabel)
            {
                Fail($"{golden.File} is {diagnosis.Label}, expected {golden.ExpectedLabel}");
            }
            foreach (var (label, expected) in golden.ExpectedProbabilities ?? new Dictionary<string, double>())
            {
                if (!diagnosis.Probabilities.TryGetValue(label, out var actual) || Math.Abs(actual - expected) > golden.Tolerance)
                {
                    Fail($"{golden.File} p({label}) = {actual:0.0000}, expected {expected:0.0000} ± {golden.Tolerance}");
                }
            }
            if (model.Classifier.HasCam)
            {
                if (diagnosis.Cams is null || diagnosis.Cams.Count == 0)
                {
                    Fail($"{golden.File}: the manifest names a CAM output but none came back");
                }
                if (diagnosis.Cams!.Values.Any(c => c.Data.Any(v => !float.IsFinite(v))))
                {
                    Fail($"{golden.File}: CAM has NaN/infinite values");
                }
            }
        }
    }

    private static void Fail(string reason) => throw new Messaging.ModelUpdates.UpdateRejectedException($"self-test: {reason}");
}
