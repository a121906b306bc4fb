using EdgeAgent.Hosting;

namespace EdgeAgent.Tests;

public sealed class ConfigurationTests
{
    private static async Task<string> RefusedWith(params (string Key, string? Value)[] settings)
    {
        await using var agent = AgentHarness.Create();
        foreach (var (key, value) in settings)
        {
            agent.Settings[key] = value;
        }

        var (code, errors) = await agent.TryStartAsync();
        Assert.Equal(ExitCodes.Config, code);
        return errors;
    }

    [Fact]
    public async Task An_out_of_range_value_stops_start_up_naming_the_key_and_the_value()
    {
        var errors = await RefusedWith(("Input:MaxInFlight", "0"));

        Assert.Contains("Input:MaxInFlight must be between 1 and 64 (got 0)", errors);
    }

    [Fact]
    public async Task A_misspelt_key_is_refused_rather_than_ignored()
    {
        var errors = await RefusedWith(("Input:WatchFoldr", "/tmp/x"));

        Assert.Contains("Input:WatchFoldr is not a setting of the Input section", errors);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_the_key()
    {
        var errors = await RefusedWith(("Input:MaxInFlight", "many"));

        Assert.Contains("Input:MaxInFlight", errors);
    }

    [Fact]
    public async Task Several_errors_are_reported_together()
    {
        var errors = await RefusedWith(("Inference:Providers:0", "Quantum"), ("Agent:Site", "clinic 7"), ("Input:AfterProcessing", "Move"), ("Model:Path", "/nonexistent/model"));

        Assert.True(errors.Contains("Inference:Providers:0 is 'Quantum'", StringComparison.Ordinal), errors);
        Assert.Contains("Agent:Site must be", errors);
        Assert.Contains("Model:Path '/nonexistent/model' does not exist", errors);
    }

    [Fact]
    public async Task Moving_processed_files_into_the_watch_folder_is_refused()
    {
        await using var probe = AgentHarness.Create();
        var errors = await RefusedWith(("Input:ProcessedFolder", probe.Inbox), ("Input:WatchFolder", probe.Inbox));

        Assert.Contains("Input:ProcessedFolder must differ from Input:WatchFolder", errors);
    }

    [Fact]
    public async Task Environment_variables_with_the_prefix_configure_the_agent()
    {
        await using var agent = AgentHarness.Create();
        agent.Settings.Remove("Input:MaxInFlight");
        Environment.SetEnvironmentVariable("EDGEAGENT_Input__MaxInFlight", "65");
        try
        {
            var (code, errors) = await agent.TryStartAsync();
            Assert.Equal(ExitCodes.Config, code);
            Assert.Contains("Input:MaxInFlight must be between 1 and 64 (got 65)", errors);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EDGEAGENT_Input__MaxInFlight", null);
        }
    }

    [Fact]
    public async Task A_model_package_that_does_not_match_its_model_stops_start_up_naming_the_field()
    {
        await using var agent = AgentHarness.Create();
        var manifest = Path.Combine(agent.ModelPath, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"logits\"", "\"scores\"", StringComparison.Ordinal));

        var (code, errors) = await agent.TryStartAsync();

        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("Model error (Model:Path)", errors);
        Assert.Contains("scores", errors);
    }

    [Fact]
    public async Task An_overlay_class_the_model_does_not_have_is_named()
    {
        var errors = await RefusedWith(("Output:OverlayClass", "tuberculosis"));

        Assert.Contains("Output:OverlayClass is 'tuberculosis', which is not a label of test-gap-untrained", errors);
    }
}
