using Crm.Modules.Customers.Contracts;
using Crm.Modules.Sales.Features.Activities;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features;

/// <summary>
/// The rule opportunities and activities share for their <c>contactId</c>: it names a live contact (not archived, of a
/// customer that is neither archived nor erased) of the record's own customer. A contact that does not exist is 422
/// <c>unknown-reference</c> ("Unknown Contact"), as the other references of these records are; a contact of another
/// customer, or a contact on a record without a customer, is 400 on <c>contactId</c>.
/// </summary>
internal sealed class ContactReferences(ICustomerDirectory customers)
{
    /// <param name="contactId">The contact the record names.</param>
    /// <param name="customerId">The record's customer; null when it has none.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task EnsureContactOfCustomerAsync(Guid contactId, Guid? customerId, CancellationToken ct)
    {
        var found = await customers.FindContactCustomersAsync([contactId], ct);
        if (!found.TryGetValue(contactId, out var contactCustomerId))
        {
            throw ActivityProblems.Unknown("Contact", contactId);
        }

        if (contactCustomerId == customerId)
        {
            return;
        }

        if (customerId is not { } id)
        {
            throw ValidationFailedException.For("contactId", $"Contact {contactId} belongs to a customer: send its customerId too.");
        }

        // The record may name a customer that was merged since: a merge moves the contacts to the survivor.
        var customer = await customers.FindAsync([id], ct);
        if (!customer.TryGetValue(id, out var snapshot) || snapshot.Id != contactCustomerId)
        {
            throw ValidationFailedException.For("contactId", $"Contact {contactId} is not a contact of customer {id}.");
        }
    }
}
