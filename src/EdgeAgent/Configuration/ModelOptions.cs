namespace EdgeAgent.Configuration;

/// <summary>Which model package the agent runs (configuration section "Model").</summary>
public sealed class ModelOptions
{
    public const string SectionName = "Model";

    /// <summary>Model package: a folder or .zip with model.onnx and manifest.json.</summary>
    public string? Path { get; set; }

    /// <summary>Run one inference on a blank image at start-up so the first real image is not slowed by lazy initialisation.</summary>
    public bool WarmUp { get; set; } = true;
}
