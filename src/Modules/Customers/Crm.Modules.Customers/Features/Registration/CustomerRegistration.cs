using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Customers.Features.Registration;

/// <summary>
/// <see cref="ICustomerRegistration"/>: sends the very requests of the POST endpoints through MediatR, so validation,
/// owner rules, the duplicate guard, custom fields, events and audit are the endpoints' own, with the caller's id.
/// </summary>
internal sealed class CustomerRegistration(CustomersDbContext db, IMediator sender) : ICustomerRegistration
{
    public async Task<RegisteredCustomer> RegisterCustomerAsync(NewCustomer customer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(customer);

        // A repeated registration (the caller failed after the first one) finds the customer before the duplicate
        // guard, which would otherwise report the customer as a duplicate of itself.
        if (await FindCustomerAsync(customer.Id, ct) is { } existing)
        {
            return existing;
        }

        var request = new CreateCustomerRequest(
            customer.Kind == NewCustomerKind.Organization ? CustomerKind.Organization : CustomerKind.Individual,
            customer.Name,
            ShortName: customer.ShortName,
            RegistrationNumber: customer.RegistrationNumber,
            Industry: customer.Industry,
            SourceChannel: customer.SourceChannel,
            Province: customer.Province,
            City: customer.City,
            District: customer.District,
            Address: customer.Address,
            Phones: customer.Phones,
            Emails: customer.Emails,
            Website: customer.Website,
            Tags: customer.Tags,
            Tier: customer.Tier,
            OwnerId: customer.OwnerId,
            CustomFields: customer.CustomFields,
            ConfirmDuplicate: customer.ConfirmDuplicate) { Id = customer.Id };
        try
        {
            var created = await sender.Send(request, ct);
            return new RegisteredCustomer(created.Customer.Id, created.Customer.Code, Created: true);
        }
        catch (DbUpdateException ex) when (IsPrimaryKeyViolation(ex, "pk_customers"))
        {
            // A concurrent registration of the same id won: the outcome is the same customer.
            db.ChangeTracker.Clear();
            return await FindCustomerAsync(customer.Id, ct) ?? throw new InvalidOperationException($"Customer {customer.Id} vanished after a key violation.", ex);
        }
    }

    public async Task<RegisteredContact> AddContactAsync(NewContact contact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (await FindContactAsync(contact.Id, ct) is { } existing)
        {
            return existing;
        }

        var request = new CreateContactRequest(
            contact.Name, Title: contact.Title, Phones: contact.Phones, Emails: contact.Emails, WeChatId: contact.WeChatId, CustomFields: contact.CustomFields)
        {
            CustomerId = contact.CustomerId,
            Id = contact.Id,
        };
        try
        {
            var created = await sender.Send(request, ct);
            return new RegisteredContact(created.Contact.Id, created.Contact.CustomerId, Created: true);
        }
        catch (DbUpdateException ex) when (IsPrimaryKeyViolation(ex, "pk_contacts"))
        {
            db.ChangeTracker.Clear();
            return await FindContactAsync(contact.Id, ct) ?? throw new InvalidOperationException($"Contact {contact.Id} vanished after a key violation.", ex);
        }
    }

    private async Task<RegisteredCustomer?> FindCustomerAsync(Guid id, CancellationToken ct) =>
        await db.Customers.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new RegisteredCustomer(c.Id, c.Code, false))
            .SingleOrDefaultAsync(ct);

    private async Task<RegisteredContact?> FindContactAsync(Guid id, CancellationToken ct) =>
        await db.Contacts.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new RegisteredContact(c.Id, c.CustomerId, false))
            .SingleOrDefaultAsync(ct);

    private static bool IsPrimaryKeyViolation(DbUpdateException ex, string constraint) =>
        ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique && unique.ConstraintName == constraint;
}
