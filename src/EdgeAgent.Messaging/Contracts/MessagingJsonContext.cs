using System.Text.Json.Serialization;

namespace EdgeAgent.Messaging.Contracts;

/// <summary>Source-generated (trimming-safe) JSON for every payload on the wire: camelCase, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ResultMessage))]
[JsonSerializable(typeof(StatusMessage))]
[JsonSerializable(typeof(CommandRequest))]
[JsonSerializable(typeof(CommandReply))]
public sealed partial class MessagingJsonContext : JsonSerializerContext;
