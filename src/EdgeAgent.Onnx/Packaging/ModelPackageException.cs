namespace EdgeAgent.Onnx.Packaging;

/// <summary>
/// A model package failed to load or validate. The message starts with the file inside the package and names
/// the field, e.g. "manifest.json: input.width must be a positive integer (got 0)".
/// </summary>
public sealed class ModelPackageException : Exception
{
    public ModelPackageException(string file, string? field, string message, Exception? innerException = null)
        : base($"{file}: {message}", innerException)
    {
        File = file;
        Field = field;
        Problem = message;
    }

    /// <summary>The file inside the package (e.g. "manifest.json", "model.onnx"), or the package itself.</summary>
    public string File { get; }

    /// <summary>The manifest field or model element at fault (e.g. "input.width"), when one is.</summary>
    public string? Field { get; }

    /// <summary>The message without the file prefix.</summary>
    public string Problem { get; }

    /// <summary>The package folder or zip, when known.</summary>
    public string? PackagePath { get; init; }

    /// <summary>The same error, marked with the package it came from.</summary>
    internal ModelPackageException WithPackage(string packagePath) =>
        PackagePath is not null ? this : new ModelPackageException(File, Field, Problem, InnerException) { PackagePath = packagePath };

    /// <summary>Builds the usual "file: field problem" error.</summary>
    internal static ModelPackageException ForField(string file, string field, string problem) =>
        new(file, field, $"{field} {problem}");
}
