namespace EdgeAgent.Messaging.Publishing;

/// <summary>
/// Re-encodes an overlay PNG smaller so that it fits a byte limit. Messaging knows no image codecs: the agent registers
/// an implementation from its imaging side; without one, an overlay that does not fit is dropped.
/// </summary>
public interface IOverlayShrinker
{
    /// <summary>A PNG of at most <paramref name="maxBytes"/> showing the same overlay smaller, or null when none fits (or the bytes do not decode).</summary>
    byte[]? Shrink(ReadOnlyMemory<byte> png, int maxBytes);
}
