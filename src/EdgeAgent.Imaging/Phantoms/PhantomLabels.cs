namespace EdgeAgent.Imaging.Phantoms;

/// <summary>The label strings (folder names, labels.csv, model labels) of the phantom classes.</summary>
public static class PhantomLabels
{
    public const string Covid = "covid";
    public const string Pneumonia = "pneumonia";
    public const string Normal = "normal";

    /// <summary>In the order of <see cref="PhantomClass"/>.</summary>
    public static IReadOnlyList<string> All { get; } = [Covid, Pneumonia, Normal];

    public static string Of(PhantomClass phantomClass) => All[(int)phantomClass];
}
