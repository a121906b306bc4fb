namespace EdgeAgent.Inference;

/// <summary>The model's inputs or outputs do not match what its manifest promises; the message names the field.</summary>
public sealed class ModelContractException : Exception
{
    public ModelContractException(string message) : base(message) { }

    public ModelContractException(string message, Exception inner) : base(message, inner) { }

    public ModelContractException() { }
}
