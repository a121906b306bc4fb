using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>Topics of the chunk transfer (see docs/mqtt.md, "Model updates").</summary>
public static class UpdateTopics
{
    /// <summary>Devices publish <see cref="ChunkRequest"/>s here; the hub's chunk server subscribes.</summary>
    public static string ChunkRequests(string site) => $"{Topics.Root}/{site}/model/chunks/request";

    /// <summary>The device's response topic for chunks.</summary>
    public static string ChunkResponses(string site, string device) => $"{Topics.Root}/{site}/{device}/model/chunks";

    /// <summary>User property on a chunk response naming the chunk index.</summary>
    public const string IndexProperty = "index";

    /// <summary>User property on a failed chunk response saying why (unknown package, index out of range).</summary>
    public const string ErrorProperty = "error";
}
