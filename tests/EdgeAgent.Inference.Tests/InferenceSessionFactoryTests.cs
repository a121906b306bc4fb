using Microsoft.Extensions.Logging;

namespace EdgeAgent.Inference.Tests;

public sealed class InferenceSessionFactoryTests
{
    [Fact]
    public void Unavailable_providers_fall_back_to_cpu_and_each_reason_is_logged()
    {
        var logs = new ListLoggerFactory();
        var factory = new InferenceSessionFactory(new InferenceOptions { Providers = ["TensorRT", "CUDA", "CPU"] }, logs);

        using var session = factory.Create(TestModels.GapModel(), "gap");

        Assert.Equal("CPU", session.Provider);
        Assert.Equal(["TensorRT", "CUDA", "CPU"], session.Attempts.Select(a => a.Provider));
        Assert.False(session.Attempts[0].Succeeded);
        Assert.False(session.Attempts[1].Succeeded);
        Assert.True(session.Attempts[2].Succeeded);
        // This machine runs the CPU build of ONNX Runtime, so the reason must say the provider is not in the build.
        Assert.Contains("not included in this ONNX Runtime build", session.Attempts[1].FailureReason);
        var warnings = logs.Provider.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => m.Contains("CUDA", StringComparison.Ordinal) && m.Contains("not included", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("TensorRT", StringComparison.Ordinal));
        Assert.Contains(logs.Provider.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Execution provider CPU in use", StringComparison.Ordinal));
    }

    [Fact]
    public void Cpu_is_used_even_when_the_list_does_not_name_it()
    {
        var factory = new InferenceSessionFactory(new InferenceOptions { Providers = ["CUDA"] }, new ListLoggerFactory());

        using var session = factory.Create(TestModels.GapModel(), "gap");

        Assert.Equal("CPU", session.Provider);
        Assert.Equal(2, session.Attempts.Count);
    }

    [Fact]
    public void A_model_onnx_runtime_cannot_load_is_reported_with_its_name()
    {
        var factory = new InferenceSessionFactory(new InferenceOptions(), new ListLoggerFactory());

        var error = Assert.Throws<InvalidOperationException>(() => factory.Create([1, 2, 3, 4], "broken-model"));

        Assert.Contains("broken-model", error.Message);
    }

    [Fact]
    public void Options_validation_names_the_bad_key()
    {
        var options = new InferenceOptions { Providers = ["CUDA", "Quantum"], IntraOpThreads = -1 };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Inference:Providers:1 is 'Quantum'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Inference:IntraOpThreads must be between 0 and", StringComparison.Ordinal) && e.EndsWith("(got -1)", StringComparison.Ordinal));
        Assert.Empty(new InferenceOptions().Validate());
    }
}
