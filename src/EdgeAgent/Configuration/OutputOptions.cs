namespace EdgeAgent.Configuration;

/// <summary>Where results are written (configuration section "Output").</summary>
public sealed class OutputOptions
{
    public const string SectionName = "Output";

    /// <summary>Folder for &lt;id&gt;.json results and &lt;id&gt;.png overlays; default &lt;DataDirectory&gt;/results.</summary>
    public string? ResultsFolder { get; set; }

    /// <summary>Write a Grad-CAM overlay PNG beside each result when the model has a CAM output.</summary>
    public bool Overlays { get; set; } = true;

    /// <summary>
    /// A label whose CAM is also drawn (e.g. "covid"), beside the predicted class's; empty for the predicted class only.
    /// </summary>
    public string? OverlayClass { get; set; }
}
