using System.CommandLine;
using EdgeAgent.Cli;
using EdgeAgent.Models;

namespace EdgeAgent.Tests;

/// <summary>`edge-agent bench fidelity` end to end on a tiny fixture package and a handful of phantoms, and the per-variant memory children.</summary>
public sealed class BenchFidelityCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("edge-agent-fidelity-").FullName;

    [Fact]
    public async Task Prints_the_fidelity_table_and_each_variants_peak_memory_from_child_processes()
    {
        var package = Path.Combine(root, "pkg");
        FixturePackages.Write(package, FixtureKind.Lstm, size: 32);

        var (code, output, error) = await InvokeAsync(
            "--model", package, "--count", "6", "--calibration-count", "3", "--size", "64", "--threads", "1", "--runs", "2", "--memory-runs", "1");

        Assert.True(code == 0, error);
        Assert.Contains("6 held-out phantoms (seed 11)", output, StringComparison.Ordinal);
        Assert.Matches(@"top-1 agreement int8 vs fp32\s+\d+\.\d\d %", output);
        Assert.Matches(@"accuracy \(6 labelled\)", output);
        Assert.Matches(@"CAM Pearson, predicted class, 16x16 grid\s+-?\d\.\d{4}", output);
        Assert.Matches(@"pointing game covid\s+\(\s*2 img\)", output);
        Assert.Matches(@"pointing game pneumonia\s+\(\s*2 img\)", output);
        Assert.Matches(@"worst \d+ quantized tensors:\s+-?\d+\.\d dB  own\s+-?\d+\.\d dB", output);
        Assert.Matches(@"speed-up int8/fp32 without CAM \d+\.\d\dx, with CAM \d+\.\d\dx", output);
        var memory = output[output.IndexOf("peak memory:", StringComparison.Ordinal)..];
        foreach (var variant in new[] { VariantMemory.BaselineLabel, "fp32", "fp32+cam", "int8", "int8+cam" })
        {
            // Each row carries a measured peak (a number), which only a child that loaded and ran the variant prints.
            Assert.Matches(@"(?m)^  " + System.Text.RegularExpressions.Regex.Escape(variant) + @"\s+\d+\.\d", memory);
        }
    }

    [Fact]
    public async Task The_same_seed_for_calibration_and_held_out_phantoms_is_refused()
    {
        var (code, _, error) = await InvokeAsync("--model", root, "--seed", "3", "--calibration-seed", "3");

        Assert.Equal(2, code);
        Assert.Contains("must not be the calibration phantoms", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_without_a_CAM_output_is_refused_with_the_reason()
    {
        var package = Path.Combine(root, "nocam");
        FixturePackages.Write(package, FixtureKind.Lstm, size: 32, withCam: false);

        var (code, _, error) = await InvokeAsync("--model", package, "--no-memory");

        Assert.Equal(78, code);
        Assert.Contains("has no CAM output", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await BenchFidelityCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
