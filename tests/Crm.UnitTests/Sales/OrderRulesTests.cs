using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Orders;

namespace Crm.UnitTests.Sales;

internal sealed class OrderRulesTests
{
    [TestCase(OrderStatus.Draft, OrderAction.Confirm, OrderStatus.Confirmed)]
    [TestCase(OrderStatus.Confirmed, OrderAction.Ship, OrderStatus.Shipped)]
    [TestCase(OrderStatus.Shipped, OrderAction.Complete, OrderStatus.Completed)]
    [TestCase(OrderStatus.Draft, OrderAction.Cancel, OrderStatus.Cancelled)]
    [TestCase(OrderStatus.Confirmed, OrderAction.Cancel, OrderStatus.Cancelled)]
    public void The_status_flow_allows_each_step_forward(OrderStatus from, OrderAction action, OrderStatus expected) =>
        Assert.That(Order.Next(from, action), Is.EqualTo(expected));

    [TestCase(OrderStatus.Draft, OrderAction.Ship)]
    [TestCase(OrderStatus.Draft, OrderAction.Complete)]
    [TestCase(OrderStatus.Confirmed, OrderAction.Confirm)]
    [TestCase(OrderStatus.Confirmed, OrderAction.Complete)]
    [TestCase(OrderStatus.Shipped, OrderAction.Cancel)]
    [TestCase(OrderStatus.Completed, OrderAction.Cancel)]
    [TestCase(OrderStatus.Cancelled, OrderAction.Confirm)]
    public void Other_moves_are_refused(OrderStatus from, OrderAction action) =>
        Assert.That(Order.Next(from, action), Is.Null);

    [TestCase(10_000, 2_000, 2_260, 5_740, false)]
    [TestCase(10_000, 2_000, 2_260, 5_740.01, true)]
    [TestCase(1_000, 1_500, 0, 0.01, true)]
    public void Available_credit_is_the_limit_less_the_balance_and_the_open_orders(decimal limit, decimal balance, decimal open, decimal amount, bool exceeded)
    {
        var figures = new CreditFigures(limit, balance, open, amount);

        Assert.Multiple(() =>
        {
            Assert.That(figures.Available, Is.EqualTo(limit - balance - open));
            Assert.That(figures.Exceeded, Is.EqualTo(exceeded));
        });
    }
}
