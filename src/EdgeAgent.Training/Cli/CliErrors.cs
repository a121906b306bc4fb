namespace EdgeAgent.Training.Cli;

/// <summary>Turns the errors a user can fix into one clear line and exit code 2; anything else is a bug and shows its stack.</summary>
internal static class CliErrors
{
    public static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or Onnx.Quantization.CalibrationDataException)
        {
            Console.Error.WriteLine($"edge-train: {e.Message}");
            return 2;
        }
    }
}
