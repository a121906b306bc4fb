using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// Writes channel orders as "rgb", "bgr", "gray"; reads them case-insensitively (people write "RGB"),
/// with "grey" accepted for "gray". Anything else is an error that lists the allowed values.
/// </summary>
public sealed class ChannelOrderJsonConverter : JsonConverter<ChannelOrder>
{
    public override ChannelOrder Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("must be one of \"rgb\", \"bgr\", \"gray\"");
        }

        var text = reader.GetString() ?? string.Empty;
        return text.ToUpperInvariant() switch
        {
            "RGB" => ChannelOrder.Rgb,
            "BGR" => ChannelOrder.Bgr,
            "GRAY" or "GREY" => ChannelOrder.Gray,
            _ => throw new JsonException($"must be one of \"rgb\", \"bgr\", \"gray\" (got \"{text}\")"),
        };
    }

    public override void Write(Utf8JsonWriter writer, ChannelOrder value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value switch
        {
            ChannelOrder.Rgb => "rgb",
            ChannelOrder.Bgr => "bgr",
            ChannelOrder.Gray => "gray",
            _ => throw new JsonException($"channel order {(int)value} is not defined"),
        });
    }
}
