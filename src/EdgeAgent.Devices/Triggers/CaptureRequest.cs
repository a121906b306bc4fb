namespace EdgeAgent.Devices.Triggers;

/// <summary>A request to take one frame.</summary>
/// <param name="Trigger">What asked for it.</param>
/// <param name="RequestedAt">When it was asked for.</param>
/// <param name="CorrelationId">The id of a remote command, echoed in the result so the hub can match them.</param>
public sealed record CaptureRequest(CaptureTrigger Trigger, DateTimeOffset RequestedAt, string? CorrelationId = null);
