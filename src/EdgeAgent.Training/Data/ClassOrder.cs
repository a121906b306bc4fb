namespace EdgeAgent.Training.Data;

/// <summary>
/// The one class order used everywhere (score axis, folders, reports, manifests). The paper's own
/// code mixed its class order up between training and evaluation; writing it into every artefact
/// and checking it on load prevents that here.
/// </summary>
public static class ClassOrder
{
    public static IReadOnlyList<string> Labels { get; } = ["covid", "pneumonia", "normal"];

    public static int Count => Labels.Count;

    public static int IndexOf(string label)
    {
        for (var i = 0; i < Labels.Count; i++)
        {
            if (string.Equals(Labels[i], label, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new ArgumentException($"Unknown class '{label}'; the classes are {string.Join(", ", Labels)} (in that order).", nameof(label));
    }

    /// <summary>Throws when an artefact was written with another class order.</summary>
    public static void Check(IReadOnlyList<string> labels, string artefact)
    {
        if (!labels.SequenceEqual(Labels, StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"{artefact} has class order [{string.Join(", ", labels)}] but this trainer uses [{string.Join(", ", Labels)}].");
        }
    }
}
