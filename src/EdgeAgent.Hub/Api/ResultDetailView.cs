using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Hub.Api;

/// <summary>
/// One result with everything the agent sent. The agent sends the overlay (original with Grad-CAM blended in) but not the
/// original image itself (patient images stay at the clinic), so <see cref="OriginalAvailable"/> is false unless a future
/// agent sends it.
/// </summary>
public sealed record ResultDetailView(
    ResultMessage Result,
    DateTimeOffset ReceivedAt,
    bool OverlayAvailable,
    bool OriginalAvailable,
    string? OriginalNote);
