using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class SalesPeriodTests
{
    [TestCase("2026", SalesPeriodKind.Year, "2026", "2026-01-01", "2027-01-01")]
    [TestCase("2026-Q1", SalesPeriodKind.Quarter, "2026-Q1", "2026-01-01", "2026-04-01")]
    [TestCase("2026-q4", SalesPeriodKind.Quarter, "2026-Q4", "2026-10-01", "2027-01-01")]
    [TestCase(" 2026-11 ", SalesPeriodKind.Month, "2026-11", "2026-11-01", "2026-12-01")]
    [TestCase("2028-02", SalesPeriodKind.Month, "2028-02", "2028-02-01", "2028-03-01")]
    public void Period_keys_parse_to_their_kind_canonical_key_and_bounds(string value, SalesPeriodKind kind, string key, string start, string end)
    {
        Assert.That(SalesPeriod.TryParse(value, out var period), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(period.Kind, Is.EqualTo(kind));
            Assert.That(period.Key, Is.EqualTo(key));
            Assert.That(period.Start, Is.EqualTo(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(period.End, Is.EqualTo(DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("2026-13")]
    [TestCase("2026-00")]
    [TestCase("2026-Q0")]
    [TestCase("2026-Q5")]
    [TestCase("2026-1")]
    [TestCase("26-Q1")]
    [TestCase("1999")]
    [TestCase("2101-01")]
    [TestCase("2026-W48")]
    [TestCase("2026-11-01")]
    public void Anything_but_a_year_quarter_or_month_key_is_refused(string? value) =>
        Assert.That(SalesPeriod.TryParse(value, out _), Is.False);

    [Test]
    public void The_period_containing_a_day_and_the_next_one_follow_the_calendar()
    {
        var day = new DateOnly(2026, 12, 31);
        Assert.Multiple(() =>
        {
            Assert.That(SalesPeriod.Containing(SalesPeriodKind.Quarter, day).Key, Is.EqualTo("2026-Q4"));
            Assert.That(SalesPeriod.Containing(SalesPeriodKind.Quarter, day).Next().Key, Is.EqualTo("2027-Q1"));
            Assert.That(SalesPeriod.Containing(SalesPeriodKind.Month, day).Next().Key, Is.EqualTo("2027-01"));
            Assert.That(SalesPeriod.Containing(SalesPeriodKind.Month, new DateOnly(2026, 2, 1)).Key, Is.EqualTo("2026-02"));
            Assert.That(SalesPeriod.Containing(SalesPeriodKind.Year, day).Next().Start, Is.EqualTo(new DateOnly(2027, 1, 1)));
        });
    }

    [Test]
    public void A_quota_keeps_its_subject_and_period_and_refuses_negative_targets()
    {
        SalesPeriod.TryParse("2026-Q4", out var period);
        var quota = SalesQuota.Create(QuotaSubjectKind.User, Guid.CreateVersion7(), period, 100m, "cny", 2, DateTimeOffset.UnixEpoch);
        Assert.Multiple(() =>
        {
            Assert.That((quota.Period, quota.PeriodStart, quota.PeriodEnd, quota.Currency), Is.EqualTo(("2026-Q4", new DateOnly(2026, 10, 1), new DateOnly(2027, 1, 1), "CNY")));
            Assert.That(() => quota.SetTargets(-1m, "CNY", 0, DateTimeOffset.UnixEpoch), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => quota.SetTargets(1m, "CNY", -1, DateTimeOffset.UnixEpoch), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
