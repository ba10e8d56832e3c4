using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Import;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Contracts;
using Microsoft.EntityFrameworkCore;
using C = Crm.Modules.Customers.Features.Import.ContactImportTarget;

namespace Crm.Modules.Customers.Features.Export;

/// <summary>Streams the contacts of the customers the caller may see, in keyset batches by id, with their customer's code.</summary>
internal sealed class ContactExport(CustomersDbContext db, IAccessScopeProvider access)
{
    public static readonly string[] Columns =
    [
        C.CustomerCode, C.CustomerExternalId, C.Name, C.Title, C.DecisionRole, C.Phones, C.Emails, C.WeChatId, C.Birthday, C.PreferredChannel,
        "id", "customerId", "createdAt", "updatedAt",
    ];

    public async Task WriteAsync(Guid? customerId, bool includeArchived, ExportWriter writer, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        // A contact's owner is its customer's owner, kept in step by transfers: visibility filters on it directly.
        var contacts = db.Contacts.AsNoTracking().Where(scope.Filter<Contact>(c => c.OwnerId));
        if (customerId is { } id)
        {
            contacts = contacts.Where(c => c.CustomerId == id);
        }

        if (!includeArchived)
        {
            contacts = contacts.Where(c => !c.IsArchived);
        }

        await writer.WriteHeaderAsync(ct);
        var after = Guid.Empty;
        while (true)
        {
            var batch = await contacts.Where(c => c.Id > after).OrderBy(c => c.Id).Take(CustomerExport.BatchSize).ToListAsync(ct);
            var customerIds = batch.Select(c => c.CustomerId).Distinct().ToList();
            var customers = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id))
                .Select(c => new { c.Id, c.Code, c.ExternalId }).ToDictionaryAsync(c => c.Id, ct);
            foreach (var c in batch)
            {
                var customer = customers[c.CustomerId];
                await writer.WriteRowAsync(
                [
                    customer.Code, customer.ExternalId, c.Name, c.Title, c.DecisionRole is { } role ? CustomerExport.Camel(role) : null, c.Phones, c.Emails,
                    c.WeChatId, c.Birthday, c.PreferredChannel is { } channel ? CustomerExport.Camel(channel) : null, c.Id, c.CustomerId, c.CreatedAt, c.UpdatedAt,
                ], ct);
            }

            await writer.FlushAsync(ct);
            if (batch.Count < CustomerExport.BatchSize)
            {
                return;
            }

            after = batch[^1].Id;
        }
    }
}
