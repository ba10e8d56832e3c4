using System.Text.Json;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Regions;
using Crm.SharedKernel.Http;

namespace Crm.Modules.Customers.Features.CustomFields;

/// <summary>
/// The parts of a customer or contact write that depend on reference data rather than on the request alone: the
/// region checked against GB/T 2260 (normalized, with its code) and the custom fields checked against their
/// definitions. Shared by every path that writes these records.
/// </summary>
internal sealed class RecordInputs(CustomersDbContext db, RegionCatalog regions, CustomFieldSchemaCache schemas)
{
    public async Task<CustomerDetails> ForNewCustomerAsync(CustomerDetails details, IReadOnlyDictionary<string, JsonElement>? customFields, CancellationToken ct)
    {
        var region = regions.Resolve(details.Province, details.City, details.District);
        var schema = await schemas.GetAsync(db, CustomFieldEntity.Customers, ct);
        return details with
        {
            Province = region.Province,
            City = region.City,
            District = region.District,
            RegionCode = region.Code,
            CustomFields = schema.Apply(CustomFieldSchema.EmptyObject, customFields, requireAll: true),
        };
    }

    /// <summary>
    /// A merged patch: the region is checked again only when the patch touches it (so a record saved before
    /// validation existed can still be edited), and only the custom fields the patch names are checked.
    /// </summary>
    public async Task<CustomerDetails> ForChangedCustomerAsync(
        CustomerDetails merged, bool regionChanged, Optional<IReadOnlyDictionary<string, JsonElement>?> customFields, CancellationToken ct)
    {
        if (regionChanged)
        {
            var region = regions.Resolve(merged.Province, merged.City, merged.District);
            merged = merged with { Province = region.Province, City = region.City, District = region.District, RegionCode = region.Code };
        }

        if (customFields.HasValue)
        {
            var schema = await schemas.GetAsync(db, CustomFieldEntity.Customers, ct);
            merged = merged with { CustomFields = schema.Apply(merged.CustomFields, Patch(merged.CustomFields, customFields.Value), requireAll: false) };
        }

        return merged;
    }

    public async Task<ContactDetails> ForNewContactAsync(ContactDetails details, IReadOnlyDictionary<string, JsonElement>? customFields, CancellationToken ct)
    {
        var schema = await schemas.GetAsync(db, CustomFieldEntity.Contacts, ct);
        return details with { CustomFields = schema.Apply(CustomFieldSchema.EmptyObject, customFields, requireAll: true) };
    }

    public async Task<ContactDetails> ForChangedContactAsync(ContactDetails merged, Optional<IReadOnlyDictionary<string, JsonElement>?> customFields, CancellationToken ct)
    {
        if (!customFields.HasValue)
        {
            return merged;
        }

        var schema = await schemas.GetAsync(db, CustomFieldEntity.Contacts, ct);
        return merged with { CustomFields = schema.Apply(merged.CustomFields, Patch(merged.CustomFields, customFields.Value), requireAll: false) };
    }

    /// <summary><c>"customFields": null</c> removes every value, like a null for each stored key.</summary>
    private static IReadOnlyDictionary<string, JsonElement> Patch(string stored, IReadOnlyDictionary<string, JsonElement>? patch)
    {
        if (patch is not null)
        {
            return patch;
        }

        using var document = JsonDocument.Parse(stored);
        var remove = JsonSerializer.SerializeToElement<object?>(null);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, _ => remove, StringComparer.Ordinal);
    }
}
