namespace EdgeAgent.Messaging.ModelUpdates;

/// <summary>An update refused; <see cref="Exception.Message"/> is the short reason shown after "rejected: ".</summary>
public sealed class UpdateRejectedException(string reason, Exception? inner = null) : Exception(reason, inner);
