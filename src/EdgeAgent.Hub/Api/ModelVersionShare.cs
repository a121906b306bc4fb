namespace EdgeAgent.Hub.Api;

/// <summary>How many devices (and which) report running one model version.</summary>
public sealed record ModelVersionShare(string ModelName, string ModelVersion, int DeviceCount, int OnlineCount, IReadOnlyList<string> Devices);
