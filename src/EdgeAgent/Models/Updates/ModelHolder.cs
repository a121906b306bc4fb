using EdgeAgent.Inference;

namespace EdgeAgent.Models.Updates;

/// <summary>
/// The model the pipeline uses, read once per item (<see cref="Acquire"/>): a swap is one reference exchange, so an
/// item in flight finishes on the model it started with and the next item gets the new one. The previous model stays
/// loaded for an instant rollback. The first <c>healthWindow</c> inferences of a swapped-in model are watched; a bad
/// one (exception, NaN, every output identical) raises <see cref="Unhealthy"/> once. Each healthy watched inference
/// raises <see cref="ProbationProgressed"/> so the watch can be persisted and continued after a restart.
/// </summary>
public sealed class ModelHolder : IDisposable
{
    private readonly Lock _gate = new();
    // Serialises watched inferences and their reports, so a persisted count never goes backwards.
    private readonly Lock _watchGate = new();
    private readonly int _healthWindow;
    private ModelSlot _current;
    private ModelSlot? _previous;
    private ProbationState? _watch;

    public ModelHolder(LoadedModel initial, int healthWindow = 20)
        : this(new StartupModels(initial), healthWindow)
    {
    }

    /// <summary>Starts on <see cref="StartupModels.Current"/>; with a probation, continues its health watch (rolling back to the given previous model).</summary>
    public ModelHolder(StartupModels startup, int healthWindow = 20)
    {
        ArgumentNullException.ThrowIfNull(startup);
        _current = new ModelSlot(startup.Current);
        _previous = startup.Previous is null ? null : new ModelSlot(startup.Previous);
        _watch = startup.Probation;
        _healthWindow = Math.Max(2, healthWindow);
    }

    /// <summary>Raised (once per swap) with the reason when the swapped-in model misbehaves.</summary>
    public event Action<LoadedModel, string>? Unhealthy;

    /// <summary>
    /// Raised after each healthy watched inference with the watch so far, and with null when the model passed the
    /// whole window. Raised in order, one at a time; the handler runs on the pipeline's thread.
    /// </summary>
    public event Action<LoadedModel, ProbationState?>? ProbationProgressed;

    public int HealthWindow => _healthWindow;

    public LoadedModel Current
    {
        get
        {
            lock (_gate)
            {
                return _current.Model;
            }
        }
    }

    public LoadedModel? Previous
    {
        get
        {
            lock (_gate)
            {
                return _previous?.Model;
            }
        }
    }

    /// <summary>True while the swapped-in model's first inferences are being watched.</summary>
    public bool OnProbation => Probation is not null;

    /// <summary>The health watch so far; null when no model is on probation.</summary>
    public ProbationState? Probation
    {
        get
        {
            lock (_gate)
            {
                return _watch;
            }
        }
    }

    public ModelLease Acquire()
    {
        while (true)
        {
            ModelSlot slot;
            lock (_gate)
            {
                slot = _current;
            }
            if (slot.TryAcquire())
            {
                var lease = new ModelLease(slot, this);
                TrackInFlight(slot, +1);
                return lease;
            }
        }
    }

    internal void Released(ModelSlot slot) => TrackInFlight(slot, -1);

    /// <summary>
    /// While a model is on probation, counts the items using it and reports the count (persisted with the watch): a
    /// restart that finds it above zero knows the agent died in the middle of one.
    /// </summary>
    private void TrackInFlight(ModelSlot slot, int delta)
    {
        lock (_watchGate)
        {
            ProbationState progress;
            lock (_gate)
            {
                if (_watch is not { } watch || slot != _current)
                {
                    return;
                }
                progress = watch with { InFlight = Math.Max(0, watch.InFlight + delta) };
                _watch = progress;
            }
            ProbationProgressed?.Invoke(slot.Model, progress);
        }
    }

    /// <summary>Makes <paramref name="next"/> current; the old current becomes previous; the one before is disposed when unused.</summary>
    public void Swap(LoadedModel next, bool watch = true)
    {
        ModelSlot? dropped;
        lock (_gate)
        {
            dropped = _previous;
            _previous = _current;
            _current = new ModelSlot(next);
            _watch = watch ? new ProbationState() : null;
        }
        dropped?.Retire();
    }

    /// <summary>Makes the previous model current again and disposes the failed one when unused; false without a previous model.</summary>
    public bool RollBack()
    {
        ModelSlot failed;
        lock (_gate)
        {
            if (_previous is null)
            {
                return false;
            }
            failed = _current;
            _current = _previous;
            _previous = null;
            _watch = null;
        }
        failed.Retire();
        return true;
    }

    /// <summary>Called by the pipeline after each inference on a leased model (diagnosis null when it threw).</summary>
    public void Observe(ModelLease lease, Diagnosis? diagnosis, Exception? error)
    {
        lock (_watchGate)
        {
            string? reason = null;
            ProbationState? progress = null;
            var passed = false;
            lock (_gate)
            {
                if (_watch is not { } watch || lease.Slot != _current)
                {
                    return;
                }
                if (error is not null)
                {
                    reason = $"inference failed ({error.GetType().Name}: {error.Message})";
                }
                else if (diagnosis!.Probabilities.Values.Any(p => !double.IsFinite(p)) || diagnosis.Logits.Any(l => !float.IsFinite(l)))
                {
                    reason = "NaN outputs";
                }
                else
                {
                    var first = watch.FirstLogits ?? [.. diagnosis.Logits];
                    // Distinct inputs must not all give the same scores; a collapsed model does. Exact equality is
                    // the test: two different images through a working float32 network virtually never tie bit for bit.
                    progress = watch with
                    {
                        Inferences = watch.Inferences + 1,
                        FirstLogits = first,
                        Varied = watch.Varied || !diagnosis.Logits.SequenceEqual(first),
                    };
                    if (progress.Inferences >= _healthWindow)
                    {
                        reason = progress.Varied ? null : $"identical outputs for {progress.Inferences} inputs";
                        passed = reason is null;
                        progress = null;
                    }
                }
                _watch = progress;
            }
            if (reason is not null)
            {
                Unhealthy?.Invoke(lease.Model, reason);
            }
            else
            {
                ProbationProgressed?.Invoke(lease.Model, passed ? null : progress);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _previous?.Retire();
            _current.Retire();
        }
    }
}
