using Crm.Api.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Crm.UnitTests.RateLimiting;

internal sealed class RateLimitWindowsTests
{
    private static readonly RateLimitPolicy ThreePerMinute = new() { PermitLimit = 3, Window = TimeSpan.FromMinutes(1) };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    private RateLimitWindows NewWindows() => new(_time, TimeSpan.FromMinutes(1));

    [Test]
    public void Each_request_counts_down_remaining_and_the_reset_follows_the_clock()
    {
        var windows = NewWindows();

        var first = windows.Acquire("anonymous:203.0.113.10", ThreePerMinute);
        _time.Advance(TimeSpan.FromSeconds(20));
        var second = windows.Acquire("anonymous:203.0.113.10", ThreePerMinute);

        Assert.Multiple(() =>
        {
            Assert.That((first.Allowed, first.Remaining, first.ResetAfter), Is.EqualTo((true, 2, TimeSpan.FromMinutes(1))));
            Assert.That((second.Allowed, second.Remaining, second.ResetAfter), Is.EqualTo((true, 1, TimeSpan.FromSeconds(40))));
        });
    }

    [Test]
    public void Over_the_limit_is_refused_without_using_up_more_and_only_the_first_refusal_is_flagged()
    {
        var windows = NewWindows();
        for (var i = 0; i < 3; i++)
        {
            windows.Acquire("user:1", ThreePerMinute);
        }

        var refused = windows.Acquire("user:1", ThreePerMinute);
        var refusedAgain = windows.Acquire("user:1", ThreePerMinute);

        Assert.Multiple(() =>
        {
            Assert.That((refused.Allowed, refused.Remaining, refused.FirstRefusal), Is.EqualTo((false, 0, true)));
            Assert.That((refusedAgain.Allowed, refusedAgain.Remaining, refusedAgain.FirstRefusal), Is.EqualTo((false, 0, false)));
        });
    }

    [Test]
    public void A_new_window_opens_with_the_first_request_after_the_last_one_ended()
    {
        var windows = NewWindows();
        for (var i = 0; i < 4; i++)
        {
            windows.Acquire("user:1", ThreePerMinute);
        }

        _time.Advance(TimeSpan.FromSeconds(75));
        var next = windows.Acquire("user:1", ThreePerMinute);

        Assert.That((next.Allowed, next.Remaining, next.ResetAfter), Is.EqualTo((true, 2, TimeSpan.FromMinutes(1))));
    }

    [Test]
    public void Partitions_have_their_own_budgets_and_windows()
    {
        var windows = NewWindows();
        for (var i = 0; i < 4; i++)
        {
            windows.Acquire("apiKey:a", ThreePerMinute);
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        var other = windows.Acquire("apiKey:b", ThreePerMinute);
        var exhausted = windows.Acquire("apiKey:a", ThreePerMinute);

        Assert.Multiple(() =>
        {
            Assert.That((other.Allowed, other.Remaining, other.ResetAfter), Is.EqualTo((true, 2, TimeSpan.FromMinutes(1))));
            Assert.That((exhausted.Allowed, exhausted.ResetAfter), Is.EqualTo((false, TimeSpan.FromSeconds(30))));
        });
    }

    [TestCase(60_000, 60)]
    [TestCase(59_001, 60)]
    [TestCase(59_000, 59)]
    [TestCase(1, 1)]
    public void The_reset_is_rounded_up_to_whole_seconds(int milliseconds, long seconds)
    {
        var decision = new RateLimitDecision(true, ThreePerMinute, 2, TimeSpan.FromMilliseconds(milliseconds), FirstRefusal: false);
        Assert.That(decision.ResetSeconds, Is.EqualTo(seconds));
    }

    [Test]
    public void Partitions_whose_window_ended_are_evicted_and_active_ones_kept()
    {
        var windows = NewWindows();
        windows.Acquire("anonymous:203.0.113.10", ThreePerMinute);
        windows.Acquire("anonymous:203.0.113.11", ThreePerMinute);
        _time.Advance(TimeSpan.FromSeconds(45));
        windows.Acquire("anonymous:203.0.113.12", ThreePerMinute);

        // 60 s after the first two: their windows have ended, the third's has not; this request sweeps.
        _time.Advance(TimeSpan.FromSeconds(15));
        var active = windows.Acquire("anonymous:203.0.113.12", ThreePerMinute);

        Assert.Multiple(() =>
        {
            Assert.That(windows.Count, Is.EqualTo(1));
            Assert.That(active.Remaining, Is.EqualTo(1), "the surviving partition kept its count");
        });
    }

    [Test]
    public void Sweeps_wait_for_the_interval()
    {
        var windows = new RateLimitWindows(_time, TimeSpan.FromMinutes(5));
        windows.Acquire("user:1", ThreePerMinute);

        _time.Advance(TimeSpan.FromMinutes(2));
        windows.Acquire("user:2", ThreePerMinute);
        var beforeInterval = windows.Count;
        _time.Advance(TimeSpan.FromMinutes(3));
        windows.Acquire("user:3", ThreePerMinute);

        Assert.Multiple(() =>
        {
            Assert.That(beforeInterval, Is.EqualTo(2));
            Assert.That(windows.Count, Is.EqualTo(1), "user:1 and user:2 ended before the sweep at 5 minutes");
        });
    }

    [Test]
    public async Task Concurrent_requests_of_one_caller_are_counted_exactly()
    {
        var windows = NewWindows();
        var policy = new RateLimitPolicy { PermitLimit = 1000, Window = TimeSpan.FromMinutes(1) };

        var decisions = await Task.WhenAll(Enumerable.Range(0, 1500).Select(_ => Task.Run(() => windows.Acquire("user:1", policy))));

        Assert.Multiple(() =>
        {
            Assert.That(decisions.Count(d => d.Allowed), Is.EqualTo(1000));
            Assert.That(decisions.Where(d => d.Allowed).Select(d => d.Remaining).Distinct().Count(), Is.EqualTo(1000));
        });
    }
}
