using System.CommandLine;
using EdgeAgent.Training.Cli;

var root = new RootCommand("edge-train: trains, evaluates and exports the CNN-RNN X-ray models (covid, pneumonia, normal)");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
return root.Parse(args).Invoke();
