namespace EdgeAgent.Messaging.Contracts;

/// <summary>Values of <see cref="ResultMessage.OverlayStatus"/>: what became of a result's overlay on its way to the hub.</summary>
public static class OverlayStatuses
{
    /// <summary>Sent as rendered.</summary>
    public const string Full = "full";

    /// <summary>Sent downscaled (aspect ratio kept, PNG) because the full overlay was over the device's cap or the broker's limit.</summary>
    public const string Shrunk = "shrunk";

    /// <summary>Not sent; <see cref="ResultMessage.OverlayOmitted"/> says why.</summary>
    public const string Dropped = "dropped";
}
