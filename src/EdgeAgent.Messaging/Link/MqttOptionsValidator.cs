using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Messaging.Link;

/// <summary>Checks the <c>Mqtt</c> section at start-up; every message names the key that is wrong.</summary>
public sealed partial class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<string>();
        if (!MqttEndpoint.TryParse(options.Url, out var endpoint, out var urlError))
        {
            errors.Add(urlError!);
        }
        if (!TopicSegment().IsMatch(options.Site))
        {
            errors.Add($"Mqtt:Site '{options.Site}' must be 1-64 of letters, digits, '-', '_' or '.'");
        }
        if (!TopicSegment().IsMatch(options.DeviceId))
        {
            errors.Add($"Mqtt:DeviceId '{options.DeviceId}' must be 1-64 of letters, digits, '-', '_' or '.'");
        }
        if (options.PasswordFile is not null && options.PasswordEnvironmentVariable is not null)
        {
            errors.Add("Mqtt:PasswordFile and Mqtt:PasswordEnvironmentVariable are both set; choose one");
        }
        if (options.PasswordFile is not null && !File.Exists(options.PasswordFile))
        {
            errors.Add($"Mqtt:PasswordFile '{options.PasswordFile}' does not exist");
        }
        if (options.PasswordEnvironmentVariable is not null && Environment.GetEnvironmentVariable(options.PasswordEnvironmentVariable) is null)
        {
            errors.Add($"Mqtt:PasswordEnvironmentVariable names '{options.PasswordEnvironmentVariable}', which is not set");
        }
        if ((options.PasswordFile ?? options.PasswordEnvironmentVariable) is not null && string.IsNullOrEmpty(options.Username))
        {
            errors.Add("Mqtt:Username is required when a password is configured");
        }
        foreach (var (key, path) in new[] { ("Mqtt:CaFile", options.CaFile), ("Mqtt:ClientCertificateFile", options.ClientCertificateFile), ("Mqtt:ClientKeyFile", options.ClientKeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                errors.Add($"{key} '{path}' does not exist");
            }
        }
        if ((options.ClientCertificateFile is null) != (options.ClientKeyFile is null))
        {
            errors.Add("Mqtt:ClientCertificateFile and Mqtt:ClientKeyFile go together");
        }
        if (endpoint is { UseTls: false } && (options.CaFile ?? options.CertificatePin ?? options.ClientCertificateFile) is not null)
        {
            errors.Add("Mqtt:CaFile/CertificatePin/ClientCertificateFile are set but Mqtt:Url is plaintext mqtt://; use mqtts://");
        }
        if (options.CertificatePin is not null && CertificatePin.Normalize(options.CertificatePin) is null)
        {
            errors.Add("Mqtt:CertificatePin must be a SHA-256 fingerprint: 64 hex digits, colons allowed");
        }
        if (options.ProtocolVersion is not ("5" or "3.1.1"))
        {
            errors.Add($"Mqtt:ProtocolVersion '{options.ProtocolVersion}' must be \"5\" or \"3.1.1\"");
        }
        if (options.KeepAlive < TimeSpan.FromSeconds(1) || options.KeepAlive > TimeSpan.FromSeconds(ushort.MaxValue))
        {
            errors.Add("Mqtt:KeepAlive must be between 1 s and 18 h");
        }
        if (options.SessionExpiry < TimeSpan.Zero || options.SessionExpiry.TotalSeconds > uint.MaxValue)
        {
            errors.Add("Mqtt:SessionExpiry must be zero or positive");
        }
        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            errors.Add("Mqtt:OperationTimeout must be positive");
        }
        if (options.ReconnectMinDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            errors.Add("Mqtt:ReconnectMinDelay must be positive and not above Mqtt:ReconnectMaxDelay");
        }
        if (options.StatusInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Mqtt:StatusInterval must be at least 1 s");
        }
        if (options.Overlay is not ("send" or "off"))
        {
            errors.Add($"Mqtt:Overlay '{options.Overlay}' must be \"send\" or \"off\"");
        }
        if (options.OverlayMaxBytes < 1)
        {
            errors.Add("Mqtt:OverlayMaxBytes must be positive");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TopicSegment();
}
