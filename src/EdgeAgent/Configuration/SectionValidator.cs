using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Configuration;

/// <summary>
/// Validates one options section at start-up: its own rules, plus a refusal of keys the section does not have
/// (a misspelt key would otherwise be ignored silently and the default used).
/// </summary>
internal sealed class SectionValidator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(IConfiguration configuration, string section, Func<T, IEnumerable<string>> rules)
    : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = UnknownKeys(configuration, section, typeof(T)).Concat(rules(options)).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> UnknownKeys(IConfiguration configuration, string section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type optionsType)
    {
        var known = optionsType.GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var child in configuration.GetSection(section).GetChildren())
        {
            if (!known.Contains(child.Key))
            {
                yield return $"{section}:{child.Key} is not a setting of the {section} section (known: {string.Join(", ", known.Order(StringComparer.Ordinal))})";
            }
        }
    }
}
