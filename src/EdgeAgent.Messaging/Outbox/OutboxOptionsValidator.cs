using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Outbox;

/// <summary>Checks the <c>Outbox</c> section at start-up; every message names the key that is wrong.</summary>
public sealed class OutboxOptionsValidator : IValidateOptions<OutboxOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add("Outbox:Path is required");
        }
        if (options.MaxPendingCount < 1)
        {
            errors.Add("Outbox:MaxPendingCount must be at least 1");
        }
        if (options.MaxBytes < 64 * 1024)
        {
            errors.Add("Outbox:MaxBytes must be at least 65536");
        }
        if (options.MaxPendingAge <= TimeSpan.Zero)
        {
            errors.Add("Outbox:MaxPendingAge must be positive");
        }
        if (options.PublishedRetention < TimeSpan.Zero)
        {
            errors.Add("Outbox:PublishedRetention must be zero or positive");
        }
        if (options.BatchSize is < 1 or > 10_000)
        {
            errors.Add("Outbox:BatchSize must be between 1 and 10000");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
