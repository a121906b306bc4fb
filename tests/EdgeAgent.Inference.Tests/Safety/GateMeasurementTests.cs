using System.Globalization;
using EdgeAgent.Imaging;
using EdgeAgent.Imaging.Phantoms;
using EdgeAgent.Inference.Safety;
using Xunit.Abstractions;

namespace EdgeAgent.Inference.Tests.Safety;

/// <summary>
/// The gate's defaults against the targets of the safety issue, measured on phantoms of every class and on
/// deliberately bad inputs; the measured ranges are printed (dotnet test --logger "console;verbosity=detailed").
/// </summary>
public sealed class GateMeasurementTests(ITestOutputHelper output)
{
    private const int PerClass = 20;
    private readonly InputQualityGate gate = new(new SafetyOptions());

    [Fact]
    public void Defaults_accept_chest_phantoms_and_reject_every_deliberately_bad_input()
    {
        var generator = new PhantomGenerator(256);
        var chest = Enum.GetValues<PhantomClass>()
            .SelectMany(c => Enumerable.Range(0, PerClass).Select(i => generator.Generate(c, (ulong)(1000 + i)).Image))
            .ToList();
        var nonChest = new NonChestPhantomGenerator(256);
        var sets = new Dictionary<string, List<DecodedImage>>
        {
            ["chest"] = chest,
            ["blank"] = [.. Enumerable.Range(0, PerClass).Select(i => nonChest.Generate(NonChestKind.Blank, (ulong)i).Image)],
            ["noise"] = [.. Enumerable.Range(0, PerClass).Select(i => nonChest.Generate(NonChestKind.Noise, (ulong)i).Image)],
            ["under-exposed"] = [.. chest.Take(PerClass).Select(BadInputs.Dark)],
            ["over-exposed"] = [.. chest.Take(PerClass).Select(BadInputs.Bright)],
            ["blurred"] = [.. chest.Take(PerClass).Select(i => BadInputs.Blurred(i))],
            ["hand"] = [.. Enumerable.Range(0, PerClass).Select(i => nonChest.Generate(NonChestKind.Hand, (ulong)i).Image)],
            ["knee"] = [.. Enumerable.Range(0, PerClass).Select(i => nonChest.Generate(NonChestKind.Knee, (ulong)i).Image)],
        };

        var rejected = new Dictionary<string, double>();
        foreach (var (name, images) in sets)
        {
            var verdicts = images.Select(gate.Check).ToList();
            rejected[name] = verdicts.Count(v => !v.Accepted) / (double)verdicts.Count;
            var s = verdicts.Select(v => v.Statistics).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-14} n={images.Count} rejected={rejected[name]:P0} mean {s.Min(x => x.Mean):0}-{s.Max(x => x.Mean):0} std {s.Min(x => x.StandardDeviation):0.0}-{s.Max(x => x.StandardDeviation):0.0} " +
                $"dark {s.Min(x => x.FractionDark):0.000}-{s.Max(x => x.FractionDark):0.000} bright {s.Min(x => x.FractionBright):0.000}-{s.Max(x => x.FractionBright):0.000} " +
                $"lapvar {s.Min(x => x.LaplacianVariance):0}-{s.Max(x => x.LaplacianVariance):0} symmetry {images.Min(MirrorSymmetry.Of):0.00}-{images.Max(MirrorSymmetry.Of):0.00}"));
        }

        // Targets from the issue: at most 5% of in-distribution phantoms refused; blank, noise and badly exposed frames all refused.
        Assert.True(rejected["chest"] <= 0.05, $"chest phantoms falsely rejected: {rejected["chest"]:P1}");
        foreach (var bad in new[] { "blank", "noise", "under-exposed", "over-exposed", "blurred" })
        {
            Assert.True(rejected[bad] == 1.0, $"{bad}: only {rejected[bad]:P0} rejected");
        }
    }
}
