using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Products;
using Crm.SharedKernel.Data;

namespace Crm.UnitTests.Sales;

internal sealed class PriceBookValidityTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [TestCase("2026-01-01", true, TestName = "The first day counts")]
    [TestCase("2026-06-30", true, TestName = "The last day counts")]
    [TestCase("2025-12-31", false, TestName = "The day before does not")]
    [TestCase("2026-07-01", false, TestName = "The day after does not")]
    public void Both_validity_bounds_are_inclusive(string day, bool applies)
    {
        var book = PriceBook.Create("协议价", PriceBookKind.Customer, null, Guid.NewGuid(), new DateOnly(2026, 1, 1), new DateOnly(2026, 6, 30), Now);
        Assert.That(book.AppliesOn(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(applies));
    }

    [Test]
    public void Open_bounds_apply_forever_and_an_inactive_book_never_applies()
    {
        var book = PriceBook.Create("标准", PriceBookKind.Standard, "ignored", Guid.NewGuid(), null, null, Now);
        Assert.Multiple(() =>
        {
            Assert.That(book.AppliesOn(DateOnly.MinValue) && book.AppliesOn(DateOnly.MaxValue), Is.True);
            Assert.That((book.Tier, book.CustomerId), Is.EqualTo(((string?)null, (Guid?)null)), "a standard book has no target");
        });
        book.Update("标准", null, null, active: false, Now);
        Assert.That(book.AppliesOn(new DateOnly(2026, 3, 1)), Is.False);
    }
}

internal sealed class LikePatternTests
{
    [TestCase("100%", @"%100\%%")]
    [TestCase("T_1", @"%T\_1%")]
    [TestCase(@"a\b", @"%a\\b%")]
    [TestCase("服务器", "%服务器%")]
    public void User_text_is_escaped_so_it_matches_literally(string text, string pattern) => Assert.That(LikePattern.Contains(text), Is.EqualTo(pattern));
}
