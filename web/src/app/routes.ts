// Every screen and its hash path. A feature adds its line here; nothing else knows paths.
// `#/order/<id>` is the path the old app and its notifications used: kept, so links survive.
import type { ComponentType } from "react";
import { BoardScreen } from "../features/board/BoardScreen";
import { CalendarScreen } from "../features/calendar/CalendarScreen";
import { CustomerScreen } from "../features/customers/CustomerScreen";
import { CustomersScreen } from "../features/customers/CustomersScreen";
import { CrewScreen } from "../features/crew/CrewScreen";
import { DashboardScreen } from "../features/dashboard/DashboardScreen";
import { ImportScreen } from "../features/imports/ImportScreen";
import { DeliveriesScreen } from "../features/notifications/DeliveriesScreen";
import { NotificationsScreen } from "../features/notifications/NotificationsScreen";
import { PreferencesScreen } from "../features/notifications/PreferencesScreen";
import { OrderScreen } from "../features/order/OrderScreen";
import { PipelineScreen } from "../features/pipeline/PipelineScreen";
import { RulesScreen } from "../features/rules/RulesScreen";
import { OfficeTasksScreen } from "../features/tasks/OfficeTasksScreen";
import { TasksScreen } from "../features/tasks/TasksScreen";
import { UsersScreen } from "../features/users/UsersScreen";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wouter passes route params
export const routes: { path: string; component: ComponentType<any> }[] = [
  { path: "/board", component: BoardScreen },
  { path: "/order/:id", component: OrderScreen },
  { path: "/customers", component: CustomersScreen },
  { path: "/customers/:digits", component: CustomerScreen },
  { path: "/tasks", component: TasksScreen },
  { path: "/team-tasks", component: OfficeTasksScreen },
  { path: "/notifications", component: NotificationsScreen },
  { path: "/notifications/settings", component: PreferencesScreen },
  { path: "/deliveries", component: DeliveriesScreen },
  { path: "/calendar", component: CalendarScreen },
  { path: "/calendar/:role", component: CalendarScreen },
  { path: "/users", component: UsersScreen },
  { path: "/dashboard", component: DashboardScreen },
  { path: "/crew", component: CrewScreen },
  { path: "/rules", component: RulesScreen },
  { path: "/pipeline", component: PipelineScreen },
  { path: "/imports", component: ImportScreen },
];
