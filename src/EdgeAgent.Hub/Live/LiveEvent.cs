namespace EdgeAgent.Hub.Live;

/// <summary>One Server-Sent Event: its type (result, device, overlay) and its JSON data.</summary>
public sealed record LiveEvent(string Type, string Json);
