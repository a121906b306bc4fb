using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Ingest;

/// <summary>What a received topic is about: edgeagent/v1/{site}/{device}/(status | results | results/{id}/overlay | model/status).</summary>
public sealed record HubTopic(HubTopicKind Kind, string Site, string DeviceId, string? ResultId)
{
    private static readonly string[] RootSegments = Topics.Root.Split('/');

    public static HubTopic? Parse(string topic)
    {
        var parts = topic.Split('/');
        if (parts.Length < RootSegments.Length + 3 || parts[0] != RootSegments[0] || parts[1] != RootSegments[1])
        {
            return null;
        }
        var site = parts[2];
        var device = parts[3];
        var rest = parts.AsSpan(4);
        return rest switch
        {
            ["status"] => new HubTopic(HubTopicKind.Status, site, device, null),
            ["results"] => new HubTopic(HubTopicKind.Result, site, device, null),
            ["results", var id, "overlay"] => new HubTopic(HubTopicKind.Overlay, site, device, id),
            ["model", "status"] => new HubTopic(HubTopicKind.ModelStatus, site, device, null),
            _ => null,
        };
    }
}
