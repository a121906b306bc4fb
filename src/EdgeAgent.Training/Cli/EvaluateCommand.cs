using System.CommandLine;
using EdgeAgent.Training.Training;

namespace EdgeAgent.Training.Cli;

/// <summary>`edge-train evaluate RUN [--data DIR]`.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = "Run folder written by `edge-train train`" };
        var data = new Option<string?>("--data") { Description = "Evaluate on every image of this dataset instead of the run's own test split" };
        var ood = new Option<string?>("--ood")
        {
            Description = "Also evaluate clinical safety against these out-of-distribution images (sub-folder = kind; e.g. `edge-agent synth DIR --not-chest`): " +
                "gate, energy and feature-distance AUROC, false rejection, calibration; writes safety.md",
        };
        var command = new Command("evaluate", "Accuracy, per-class precision/recall/F1, ROC AUC, confusion matrix and the Grad-CAM pointing game");
        command.Arguments.Add(run);
        command.Options.Add(data);
        command.Options.Add(ood);
        command.SetAction(parse => CliErrors.Run(() => new TrainingPipeline(Console.Out).Evaluate(parse.GetValue(run)!, parse.GetValue(data), parse.GetValue(ood))));
        return command;
    }
}
