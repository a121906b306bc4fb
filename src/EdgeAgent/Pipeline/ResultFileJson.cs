using System.Text.Json.Serialization;
using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Pipeline;

/// <summary>The results-folder JSON: the wire schema (camelCase, nulls omitted), indented for people reading the file.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(ResultMessage))]
[JsonSerializable(typeof(FailureReport))]
internal sealed partial class ResultFileJson : JsonSerializerContext;
