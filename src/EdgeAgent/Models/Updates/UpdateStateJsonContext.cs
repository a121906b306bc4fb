using System.Text.Json.Serialization;

namespace EdgeAgent.Models.Updates;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UpdateState))]
internal sealed partial class UpdateStateJsonContext : JsonSerializerContext;
