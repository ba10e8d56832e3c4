using Crm.Modules.Sales.Contracts;
using Crm.Modules.Sales.Domain;

namespace Crm.Modules.Sales.Features.Quotes;

/// <summary>The integration event of a quote action: QuoteSent, QuoteAccepted or QuoteRejected.</summary>
internal static class QuoteIntegrationEvents
{
    public static QuoteEvent For(Quote quote, QuoteAction action, DateTimeOffset now)
    {
        QuoteEvent raised = action switch
        {
            QuoteAction.Send => new QuoteSent(now) { ValidUntil = quote.ValidUntil },
            QuoteAction.Accept => new QuoteAccepted(now),
            QuoteAction.Reject => new QuoteRejected(now) { Reason = quote.RejectionReason },
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Only sending and the customer's answers raise quote events."),
        };
        return raised with
        {
            QuoteId = quote.Id,
            QuoteNumber = quote.DisplayNumber,
            CustomerId = quote.CustomerId,
            OpportunityId = quote.OpportunityId,
            OwnerId = quote.OwnerId,
            Total = quote.Total,
            Currency = quote.Currency,
        };
    }
}
