using Microsoft.Extensions.Options;

namespace EdgeAgent.Configuration;

/// <summary>Checks the folders together: files must never be moved into the folder being watched.</summary>
internal sealed class FolderLayoutValidator(IOptions<AgentOptions> agent, IOptions<InputOptions> input) : IValidateOptions<OutputOptions>
{
    public ValidateOptionsResult Validate(string? name, OutputOptions options)
    {
        var errors = AgentPaths.Resolve(agent.Value, input.Value, options).Check().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
