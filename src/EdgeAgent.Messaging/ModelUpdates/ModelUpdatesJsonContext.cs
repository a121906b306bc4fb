using System.Text.Json.Serialization;

namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>Source-generated JSON of the update protocol: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UpdateManifest))]
[JsonSerializable(typeof(SignedAnnouncement))]
[JsonSerializable(typeof(ChunkRequest))]
[JsonSerializable(typeof(ModelUpdateStatus))]
public sealed partial class ModelUpdatesJsonContext : JsonSerializerContext;
