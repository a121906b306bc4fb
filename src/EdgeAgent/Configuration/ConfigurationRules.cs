using EdgeAgent.Inference;

namespace EdgeAgent.Configuration;

/// <summary>Every configuration rule, each error naming its key the way it is written in appsettings.json.</summary>
internal static class ConfigurationRules
{
    public static IEnumerable<string> Check(AgentOptions o)
    {
        if (!IsIdentifier(o.DeviceId))
        {
            yield return $"Agent:DeviceId must be 1-64 letters, digits, '-', '_' or '.' (got '{o.DeviceId}'); it becomes part of MQTT topics";
        }

        if (!IsIdentifier(o.Site))
        {
            yield return $"Agent:Site must be 1-64 letters, digits, '-', '_' or '.' (got '{o.Site}'); it becomes part of MQTT topics";
        }

        if (string.IsNullOrWhiteSpace(o.DataDirectory))
        {
            yield return "Agent:DataDirectory must name a folder (got an empty value)";
        }
    }

    public static IEnumerable<string> Check(InputOptions o)
    {
        if (o.MaxInFlight is < 1 or > InputOptions.MaxInFlightLimit)
        {
            yield return $"Input:MaxInFlight must be between 1 and {InputOptions.MaxInFlightLimit} (got {o.MaxInFlight})";
        }

        if (o.SettleTime < TimeSpan.FromMilliseconds(50) || o.SettleTime > TimeSpan.FromMinutes(10))
        {
            yield return $"Input:SettleTime must be between 00:00:00.050 and 00:10:00 (got {o.SettleTime})";
        }

        if (o.RescanInterval < TimeSpan.FromMilliseconds(100) || o.RescanInterval > TimeSpan.FromHours(24))
        {
            yield return $"Input:RescanInterval must be between 00:00:00.100 and 1.00:00:00 (got {o.RescanInterval})";
        }

        if (o.MaxFileBytes < 1)
        {
            yield return $"Input:MaxFileBytes must be at least 1 (got {o.MaxFileBytes})";
        }

        if (!Enum.IsDefined(o.AfterProcessing))
        {
            yield return $"Input:AfterProcessing must be Move, Delete or Leave (got {o.AfterProcessing})";
        }
    }

    public static IEnumerable<string> Check(ModelOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Path))
        {
            yield return "Model:Path is required: the model package folder or .zip to run (try `edge-agent demo` for a model-free start)";
        }
        else if (!File.Exists(o.Path) && !Directory.Exists(o.Path))
        {
            yield return $"Model:Path '{o.Path}' does not exist (full path {System.IO.Path.GetFullPath(o.Path)})";
        }
    }

    public static IEnumerable<string> Check(InferenceOptions o) => o.Validate();

    public static IEnumerable<string> Check(OutputOptions o)
    {
        if (o.OverlayClass is { Length: > 0 } label && label.Any(char.IsWhiteSpace))
        {
            yield return $"Output:OverlayClass must be one of the model's labels (got '{label}')";
        }
    }

    private static bool IsIdentifier(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 &&
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
