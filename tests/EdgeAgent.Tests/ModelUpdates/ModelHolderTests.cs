using EdgeAgent.Inference;
using EdgeAgent.Models;
using EdgeAgent.Models.Updates;
using EdgeAgent.Messaging.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.ModelUpdates;

/// <summary>The swap with real ONNX Runtime sessions: leases keep a replaced model alive until the item using it ends.</summary>
public sealed class ModelHolderTests
{
    private static LoadedModel Load(string folder) =>
        new ModelLoader(new InferenceSessionFactory(new InferenceOptions { IntraOpThreads = 1 }, NullLoggerFactory.Instance), NullLogger<ModelLoader>.Instance)
            .Load(folder, warmUp: false);

    [Fact]
    public void An_item_in_flight_finishes_on_its_model_even_after_two_swaps_and_the_next_item_gets_the_new_one()
    {
        using var files = new TempDirectory("edgeagent-holder-");
        var folder = files.Path + "/pkg";
        AgentHarness.WriteModelPackage(folder);
        var first = Load(folder);
        var second = Load(folder);
        var third = Load(folder);
        using var holder = new ModelHolder(first);
        var input = new float[first.Classifier.TensorLength];

        var inFlight = holder.Acquire();
        holder.Swap(second);
        Assert.Same(second, holder.Current);
        Assert.Same(first, holder.Previous);
        holder.Swap(third); // `first` is retired now, but an item still holds it
        Assert.Same(first, inFlight.Model);
        Assert.Equal(3, first.Classifier.Classify(input).Probabilities.Count);
        using (var next = holder.Acquire())
        {
            Assert.Same(third, next.Model);
        }
        inFlight.Dispose(); // the last user of `first` ends: its session is released here

        // Rolling back returns to the kept previous model; nothing earlier is kept, so a second rollback is refused.
        Assert.True(holder.RollBack());
        Assert.Same(second, holder.Current);
        Assert.False(holder.RollBack());
    }

    [Fact]
    public void A_swapped_in_model_with_identical_outputs_for_every_input_is_reported_unhealthy_once()
    {
        using var files = new TempDirectory("edgeagent-holder-");
        var folder = files.Path + "/pkg";
        AgentHarness.WriteModelPackage(folder);
        using var holder = new ModelHolder(Load(folder), healthWindow: 3);
        holder.Swap(Load(folder));
        var reasons = new List<string>();
        holder.Unhealthy += (_, reason) => reasons.Add(reason);
        for (var i = 0; i < 5; i++)
        {
            using var lease = holder.Acquire();
            // The same (blank) input every time: a stand-in for a model that ignores its input.
            var diagnosis = lease.Model.Classifier.Classify(new float[lease.Model.Classifier.TensorLength]);
            holder.Observe(lease, diagnosis, null);
        }
        Assert.Equal(["identical outputs for 3 inputs"], reasons);
        Assert.False(holder.OnProbation);
    }

    [Fact]
    public void A_holder_restored_on_probation_counts_on_from_the_saved_watch_and_reports_the_pass()
    {
        using var files = new TempDirectory("edgeagent-holder-");
        var folder = files.Path + "/pkg";
        AgentHarness.WriteModelPackage(folder);
        var previous = Load(folder);
        // As state.json left it: two healthy inferences seen, all with these logits so far (not the model's real ones).
        var saved = new ProbationState { Inferences = 2, FirstLogits = [9f, 9f, 9f], Varied = false };
        using var holder = new ModelHolder(new StartupModels(Load(folder), previous, saved), healthWindow: 4);
        var reports = new List<string>();
        var reasons = new List<string>();
        holder.ProbationProgressed += (_, progress) => reports.Add(progress is null ? "passed" : $"{progress.Inferences} seen, {progress.InFlight} in flight");
        holder.Unhealthy += (_, reason) => reasons.Add(reason);
        for (var i = 0; i < 3; i++)
        {
            using var lease = holder.Acquire();
            holder.Observe(lease, lease.Model.Classifier.Classify(new float[lease.Model.Classifier.TensorLength]), null);
        }
        // Third and fourth watched inference: the window of 4 ends on the second one here; the real logits differ
        // from the saved first ones, so it passes. The last item is after the watch and reports nothing.
        Assert.Equal(["2 seen, 1 in flight", "3 seen, 1 in flight", "3 seen, 0 in flight", "3 seen, 1 in flight", "passed"], reports);
        Assert.Empty(reasons);
        Assert.False(holder.OnProbation);
        Assert.True(holder.RollBack());
        Assert.Same(previous, holder.Current);
    }

    [Fact]
    public void On_probation_the_items_in_flight_on_the_watched_model_are_counted_and_reported()
    {
        using var files = new TempDirectory("edgeagent-holder-");
        var folder = files.Path + "/pkg";
        AgentHarness.WriteModelPackage(folder);
        using var holder = new ModelHolder(Load(folder), healthWindow: 10);
        var old = holder.Acquire(); // an item on the start-up model, not watched
        holder.Swap(Load(folder));
        var reports = new List<(int Inferences, int InFlight)>();
        holder.ProbationProgressed += (_, progress) => reports.Add((progress!.Inferences, progress.InFlight));

        var first = holder.Acquire();
        var second = holder.Acquire();
        holder.Observe(first, first.Model.Classifier.Classify(new float[first.Model.Classifier.TensorLength]), null);
        first.Dispose();
        old.Dispose();
        second.Dispose();

        // What state.json would hold after each step: a kill between any two leaves a non-zero InFlight until both ended.
        Assert.Equal([(0, 1), (0, 2), (1, 2), (1, 1), (1, 0)], reports);
        Assert.Equal(new ProbationState { Inferences = 1, FirstLogits = holder.Probation!.FirstLogits, InFlight = 0 }, holder.Probation);
    }
}
