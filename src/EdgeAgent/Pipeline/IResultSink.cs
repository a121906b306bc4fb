using EdgeAgent.Messaging.Contracts;

namespace EdgeAgent.Pipeline;

/// <summary>
/// A durable destination for results (the results folder; the MQTT outbox). Every registered sink has committed a
/// result before its input file is moved away, so a crash in between loses nothing. A sink must accept the same
/// result id twice (a restart can repeat the last commit) without keeping two copies.
/// </summary>
public interface IResultSink
{
    /// <summary>Stores <paramref name="result"/> (and its overlay PNG, when there is one) durably before returning.</summary>
    /// <exception cref="ResultNotAcceptedException">The sink cannot take results now (e.g. outbox full); the input stays and is retried.</exception>
    ValueTask CommitAsync(ResultMessage result, ReadOnlyMemory<byte>? overlayPng, CancellationToken cancellationToken);

    /// <summary>True when a result with this id is already committed here (a crash can cut in after the commit, before the input moved).</summary>
    bool Holds(string resultId);
}
