using Crm.Modules.Sales.Domain;

namespace Crm.UnitTests.Sales;

internal sealed class CashDomainTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Due = new(2026, 11, 30);

    [TestCase(100, 0, "2026-11-23", InstalmentStatus.Pending)]
    [TestCase(100, 40, "2026-11-23", InstalmentStatus.PartiallyPaid)]
    [TestCase(100, 100, "2026-11-23", InstalmentStatus.Paid)]
    [TestCase(100, 0, "2026-12-01", InstalmentStatus.Overdue)]
    [TestCase(100, 40, "2026-12-01", InstalmentStatus.Overdue, TestName = "Partly paid and past due is overdue")]
    [TestCase(100, 100, "2027-06-01", InstalmentStatus.Paid, TestName = "Paid wins over past due")]
    [TestCase(100, 0, "2026-11-30", InstalmentStatus.Pending, TestName = "Due today is not overdue yet")]
    public void Instalment_status_comes_from_paid_amount_and_due_date(decimal amount, decimal paid, string asOf, InstalmentStatus expected) =>
        Assert.That(PaymentInstalment.StatusOf(amount, paid, Due, DateOnly.Parse(asOf, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));

    private static Contract Draft() =>
        Contract.Create(Guid.CreateVersion7(), " 维保合同 ", 1_000m, "CNY", new DateOnly(2026, 12, 1), new DateOnly(2027, 11, 30), null, null, Guid.CreateVersion7(), Now);

    [Test]
    public void A_contract_is_signed_once_and_only_then_takes_payments_and_renewals()
    {
        var contract = Draft();
        Assert.Multiple(() =>
        {
            Assert.That(contract.Title, Is.EqualTo("维保合同"));
            Assert.That(contract.AcceptsPayments, Is.False);
            Assert.That(contract.CanBeRenewed, Is.False);
            Assert.That(contract.Sign(new DateOnly(2026, 11, 20), 1m, Now), Is.True);
            Assert.That(contract.Sign(new DateOnly(2026, 11, 21), 1m, Now), Is.False);
            Assert.That(contract.SignedDate, Is.EqualTo(new DateOnly(2026, 11, 20)));
            Assert.That(contract.AcceptsPayments, Is.True);
            Assert.That(contract.CanBeRenewed, Is.True);
        });
    }

    [Test]
    public void Receipts_and_reversals_move_the_outstanding_amount()
    {
        var contract = Draft();
        contract.RecordReceipt(300m, Now);
        contract.RecordReceipt(200m, Now);
        contract.ReverseReceipt(300m, Now);
        Assert.That(contract.Outstanding, Is.EqualTo(800m));
    }

    [Test]
    public void A_renewal_is_a_linked_draft_with_the_same_customer_owner_and_currency()
    {
        var contract = Draft();
        contract.Sign(new DateOnly(2026, 11, 20), 1m, Now);
        var successor = contract.Renew("续约", 1_200m, new DateOnly(2027, 12, 1), new DateOnly(2028, 11, 30), Now);
        Assert.Multiple(() =>
        {
            Assert.That(successor.RenewalOfId, Is.EqualTo(contract.Id));
            Assert.That(successor.Status, Is.EqualTo(ContractStatus.Draft));
            Assert.That(successor.CustomerId, Is.EqualTo(contract.CustomerId));
            Assert.That(successor.OwnerId, Is.EqualTo(contract.OwnerId));
            Assert.That(successor.Id, Is.Not.EqualTo(contract.Id));
        });
    }

    [Test]
    public void A_receipt_keeps_the_contract_owner_and_is_reversed_at_most_once()
    {
        var contract = Draft();
        var receipt = PaymentReceipt.Create(contract, null, 100m, new DateOnly(2026, 11, 22), 1m, PaymentMethod.Cheque, "  CHQ-1 ", Now);
        Assert.Multiple(() =>
        {
            Assert.That(receipt.OwnerId, Is.EqualTo(contract.OwnerId));
            Assert.That(receipt.Reference, Is.EqualTo("CHQ-1"));
            Assert.That(receipt.Reverse(" 退票 ", Now), Is.True);
            Assert.That(receipt.Reverse("again", Now), Is.False);
            Assert.That(receipt.ReversalReason, Is.EqualTo("退票"));
            Assert.That(receipt.Status, Is.EqualTo(ReceiptStatus.Reversed));
            Assert.That(receipt.ReversedDate, Is.EqualTo(new DateOnly(2026, 11, 23)), "the UTC day of the reversal dates it for commission");
        });
    }

    [TestCase(false, false, CommissionRuleLevel.Default)]
    [TestCase(false, true, CommissionRuleLevel.Category)]
    [TestCase(true, false, CommissionRuleLevel.Rep)]
    [TestCase(true, true, CommissionRuleLevel.RepAndCategory)]
    public void A_commission_rule_is_as_specific_as_what_it_names(bool rep, bool category, CommissionRuleLevel expected)
    {
        var rule = CommissionRule.Create(null, rep ? Guid.CreateVersion7() : null, category ? "软件" : " ", 3m, null, null, Now);
        Assert.That(rule.Level, Is.EqualTo(expected));
    }

    [Test]
    public void A_contract_keeps_a_trimmed_product_category_and_its_renewal_inherits_it()
    {
        var contract = Contract.Create(Guid.CreateVersion7(), "维保", 1m, "CNY", new DateOnly(2026, 12, 1), new DateOnly(2027, 11, 30), null, null, null, Now, " 软件 ");
        contract.Sign(new DateOnly(2026, 11, 20), 1m, Now);
        var successor = contract.Renew("续约", 1m, new DateOnly(2027, 12, 1), new DateOnly(2028, 11, 30), Now);
        Assert.Multiple(() =>
        {
            Assert.That(contract.ProductCategory, Is.EqualTo("软件"));
            Assert.That(successor.ProductCategory, Is.EqualTo("软件"));
        });
    }

    [TestCase(ContractStatus.Signed, "2026-11-30", ContractStatus.Signed, TestName = "Signed before its start stays signed")]
    [TestCase(ContractStatus.Signed, "2026-12-01", ContractStatus.Active, TestName = "Signed becomes active on its start date")]
    [TestCase(ContractStatus.Active, "2027-11-30", ContractStatus.Active, TestName = "Active on its last day")]
    [TestCase(ContractStatus.Active, "2027-12-01", ContractStatus.Expired, TestName = "Active expires the day after its end")]
    [TestCase(ContractStatus.Signed, "2027-12-01", ContractStatus.Expired, TestName = "Signed and already ended expires")]
    [TestCase(ContractStatus.Draft, "2027-12-01", ContractStatus.Draft, TestName = "A draft does not move with the calendar")]
    [TestCase(ContractStatus.Terminated, "2027-12-01", ContractStatus.Terminated, TestName = "A terminated contract stays terminated")]
    public void A_contract_in_force_moves_with_the_calendar(ContractStatus status, string day, ContractStatus expected) =>
        Assert.That(
            Contract.StatusOn(status, new DateOnly(2026, 12, 1), new DateOnly(2027, 11, 30), DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(expected));

    [Test]
    public void Only_a_contract_in_force_is_terminated_and_then_takes_no_payments()
    {
        var draft = Draft();
        var contract = Draft();
        contract.Sign(new DateOnly(2026, 11, 20), 1m, Now);
        contract.RecordReceipt(400m, Now);
        Assert.Multiple(() =>
        {
            Assert.That(draft.Terminate(new DateOnly(2026, 11, 23), "x", Now), Is.False);
            Assert.That(contract.Terminate(new DateOnly(2026, 11, 23), " 客户破产 ", Now), Is.True);
            Assert.That(contract.Terminate(new DateOnly(2026, 11, 23), "again", Now), Is.False);
            Assert.That(contract.Status, Is.EqualTo(ContractStatus.Terminated));
            Assert.That(contract.TerminationReason, Is.EqualTo("客户破产"));
            Assert.That(contract.Outstanding, Is.EqualTo(600m), "what the termination writes off");
            Assert.That(contract.AcceptsPayments, Is.False);
            Assert.That(contract.CanBeRenewed, Is.False);
        });
    }

    [Test]
    public void Signing_on_or_after_the_start_makes_the_contract_active_at_once()
    {
        var contract = Contract.Create(Guid.CreateVersion7(), "维保", 1m, "CNY", new DateOnly(2026, 11, 1), new DateOnly(2027, 10, 31), null, null, null, Now);
        contract.Sign(new DateOnly(2026, 11, 20), 1m, Now);
        Assert.That(contract.Status, Is.EqualTo(ContractStatus.Active));
    }
}
