"""Demo data of the mechanism apps (meetings, dual lists, liaison, reporting, documents and
special campaigns), built through each app's actions: `fuyuan load_demo_mechanism`."""
