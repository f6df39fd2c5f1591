// Generated from contracts/roles.py by `make schemas`; do not edit.
export default {
  "capabilities": [
    "public",
    "signed_in",
    "orders.see",
    "chat.post",
    "orders.see_all",
    "commercial.see",
    "orders.create",
    "customer.edit",
    "orders.promise",
    "orders.assign_manager",
    "deal.write",
    "stage.move",
    "production.finish",
    "visits.book",
    "tasks.create",
    "tasks.complete_any",
    "calendars.read_any",
    "crew.edit",
    "media.manage_any",
    "site.pin",
    "media.review",
    "reports.read",
    "rules.read",
    "rules.edit",
    "pipeline.edit",
    "users.admin",
    "imports.run",
    "media.attach.contract_draft",
    "media.attach.requirements",
    "media.attach.calculation",
    "media.attach.signed_contract",
    "media.attach.measurement",
    "media.attach.installation",
    "media.attach.rework",
    "media.attach.other"
  ],
  "roles": {
    "admin": {
      "audience": "administration",
      "capabilities": [
        "crew.edit",
        "imports.run",
        "pipeline.edit",
        "rules.edit",
        "rules.read",
        "signed_in",
        "users.admin"
      ]
    },
    "delivery": {
      "audience": "field",
      "capabilities": [
        "chat.post",
        "orders.see",
        "signed_in"
      ]
    },
    "director": {
      "audience": "commercial",
      "capabilities": [
        "calendars.read_any",
        "chat.post",
        "commercial.see",
        "crew.edit",
        "customer.edit",
        "deal.write",
        "media.attach.calculation",
        "media.attach.contract_draft",
        "media.attach.installation",
        "media.attach.measurement",
        "media.attach.other",
        "media.attach.requirements",
        "media.attach.rework",
        "media.attach.signed_contract",
        "media.manage_any",
        "media.review",
        "orders.assign_manager",
        "orders.create",
        "orders.promise",
        "orders.see",
        "orders.see_all",
        "pipeline.edit",
        "production.finish",
        "reports.read",
        "rules.edit",
        "rules.read",
        "signed_in",
        "site.pin",
        "stage.move",
        "tasks.complete_any",
        "tasks.create",
        "visits.book"
      ]
    },
    "installer": {
      "audience": "field",
      "capabilities": [
        "chat.post",
        "media.attach.installation",
        "media.attach.rework",
        "orders.see",
        "signed_in"
      ]
    },
    "manager": {
      "audience": "commercial",
      "capabilities": [
        "calendars.read_any",
        "chat.post",
        "commercial.see",
        "crew.edit",
        "customer.edit",
        "deal.write",
        "media.attach.calculation",
        "media.attach.contract_draft",
        "media.attach.installation",
        "media.attach.measurement",
        "media.attach.other",
        "media.attach.requirements",
        "media.attach.rework",
        "media.attach.signed_contract",
        "media.manage_any",
        "media.review",
        "orders.assign_manager",
        "orders.create",
        "orders.promise",
        "orders.see",
        "orders.see_all",
        "production.finish",
        "reports.read",
        "signed_in",
        "site.pin",
        "stage.move",
        "tasks.complete_any",
        "tasks.create",
        "visits.book"
      ]
    },
    "measurer": {
      "audience": "field",
      "capabilities": [
        "chat.post",
        "media.attach.measurement",
        "orders.see",
        "signed_in"
      ]
    },
    "production": {
      "audience": "production",
      "capabilities": [
        "chat.post",
        "orders.see",
        "production.finish",
        "signed_in"
      ]
    }
  }
} as const;
