using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using Crm.SharedKernel.Errors;

namespace Crm.UnitTests.Sales;

internal sealed class ActivityRulesTests
{
    private static readonly DateTimeOffset Start = new(2027, 1, 4, 2, 0, 0, TimeSpan.Zero);

    private static ActivityDetails Details(ActivityKind kind = ActivityKind.Meeting, DateTimeOffset? end = null, string? channel = null, string? overrideReason = null) =>
        new(kind, "会议", null, Start, end ?? Start.AddHours(1), [], null, null, null, null, channel, false, false, null, overrideReason);

    [TestCase(true, true, ActivityQuadrant.UrgentImportant)]
    [TestCase(false, true, ActivityQuadrant.Important)]
    [TestCase(true, false, ActivityQuadrant.Urgent)]
    [TestCase(false, false, ActivityQuadrant.Neither)]
    public void Urgency_and_importance_pick_the_quadrant(bool urgent, bool important, ActivityQuadrant expected) =>
        Assert.That(Activity.QuadrantOf(urgent, important), Is.EqualTo(expected));

    [Test]
    public void Calls_visits_and_emails_get_their_default_channel_and_the_others_none()
    {
        var owner = Guid.NewGuid();
        Assert.Multiple(() =>
        {
            Assert.That(Activity.Create(Details(ActivityKind.Call), owner, Start).Channel, Is.EqualTo("phone"));
            Assert.That(Activity.Create(Details(ActivityKind.Visit), owner, Start).Channel, Is.EqualTo("visit"));
            Assert.That(Activity.Create(Details(ActivityKind.Email, channel: "wechat"), owner, Start).Channel, Is.EqualTo("wechat"));
            Assert.That(Activity.Create(Details(ActivityKind.Meeting), owner, Start).Channel, Is.Null);
            Assert.That(Activity.Create(Details(ActivityKind.Task), owner, Start).EndAt, Is.Null);
        });
    }

    [Test]
    public void Only_a_planned_activity_completes_or_cancels()
    {
        var activity = Activity.Create(Details(), Guid.NewGuid(), Start);
        Assert.Multiple(() =>
        {
            Assert.That(activity.Complete("签约", Start.AddHours(2)), Is.True);
            Assert.That(activity.Complete("again", Start.AddHours(3)), Is.False);
            Assert.That(activity.Cancel("x", Start.AddHours(3)), Is.False);
            Assert.That(activity.Outcome, Is.EqualTo("签约"));
        });
    }

    [Test]
    public void The_owner_is_not_listed_again_among_the_attendees()
    {
        var owner = Guid.NewGuid();
        var other = Guid.NewGuid();
        var activity = Activity.Create(Details() with { AttendeeIds = [owner, other, other] }, owner, Start);
        Assert.That(activity.AttendeeIds, Is.EqualTo(new[] { other }));
    }

    [TestCase(0, "endAt")]
    [TestCase(-30, "endAt")]
    [TestCase(60 * 24 * 32, "endAt")]
    public void Ends_must_follow_starts_within_31_days(int minutes, string field)
    {
        var failure = Assert.Throws<ValidationFailedException>(() => ActivityWrites.ValidateShape(Details(end: Start.AddMinutes(minutes))));
        Assert.That(failure!.Errors.Keys, Does.Contain(field));
    }

    [Test]
    public void Meetings_take_no_channel_and_an_override_needs_a_reason()
    {
        var failure = Assert.Throws<ValidationFailedException>(() => ActivityWrites.ValidateShape(Details(channel: "phone", overrideReason: "")));
        Assert.That(failure!.Errors.Keys, Is.EquivalentTo(new[] { "channel", "override.reason" }));
        Assert.DoesNotThrow(() => ActivityWrites.ValidateShape(Details(ActivityKind.Call, channel: "phone", overrideReason: "客户要求")));
    }
}
