namespace EdgeAgent.Messaging.Contracts;

/// <summary>Every topic lives under edgeagent/v1/{site}/{device}/...; see docs/mqtt.md.</summary>
public static class Topics
{
    public const string Root = "edgeagent/v1";

    public static string Status(string site, string device) => $"{Root}/{site}/{device}/status";
    public static string Results(string site, string device) => $"{Root}/{site}/{device}/results";
    public static string Overlay(string site, string device, string resultId) => $"{Root}/{site}/{device}/results/{resultId}/overlay";
    public static string Command(string site, string device, string command) => $"{Root}/{site}/{device}/cmd/{command}";
    public static string CommandFilter(string site, string device) => $"{Root}/{site}/{device}/cmd/#";
    public static string CommandReply(string site, string device, string command) => $"{Root}/{site}/{device}/cmd/{command}/reply";
    public static string ModelStatus(string site, string device) => $"{Root}/{site}/{device}/model/status";
    public static string ModelAnnounce(string site) => $"{Root}/{site}/model/announce";

    /// <summary>Every device's status and results, for the hub.</summary>
    public const string AllStatus = Root + "/+/+/status";
    public const string AllResults = Root + "/+/+/results";
    public const string AllOverlays = Root + "/+/+/results/+/overlay";
}
