namespace EdgeAgent.Messaging.Link;

/// <summary>Thrown by <see cref="MqttLink.PublishAsync"/> when the broker is not connected; the caller keeps the message.</summary>
public sealed class LinkUnavailableException : Exception
{
    public LinkUnavailableException()
        : base("MQTT link is not connected")
    {
    }

    public LinkUnavailableException(string message)
        : base(message)
    {
    }

    public LinkUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
